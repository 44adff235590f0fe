#include "devices/DeviceServicesTab.h"

#include "TableColumns.h"
#include "devices/DeviceTablePage.h"
#include "widgets/SelectionGate.h"

#include <QHBoxLayout>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace breeze::console {

DeviceServicesTab::DeviceServicesTab(QWidget* parent)
    : QWidget(parent), m_status(new InlineMessage(this)), m_note(new InlineMessage(this)) {
    auto* tools = new QWidget(this);
    auto* buttons = new QHBoxLayout(tools);
    buttons->setContentsMargins(0, 0, 0, 0);
    QList<QAbstractButton*> actions;
    for (const auto& [action, label] : {std::pair<QString, QString>{"start", tr("Start")},
                                        {"stop", tr("Stop")},
                                        {"restart", tr("Restart")}}) {
        auto* button = new QPushButton(label, tools);
        connect(button, &QPushButton::clicked, this, [this, action = action] {
            const QJsonObject service = m_table->selectedRow();
            if (service.isEmpty()) {
                say(InlineMessage::Kind::Warning, tr("Choose a service first."));
                return;
            }
            const QString name = serviceName(service);
            Q_EMIT commandRequested(DeviceCommand::serviceAction(name, action), "service",
                                    tr("%1 %2…").arg(action, name));
        });
        buttons->addWidget(button);
        actions << button;
    }
    buttons->addStretch();
    m_table = new DeviceTablePage(TableColumns::services(), true, tools, this);
    enableWithSelection(m_table->table(), actions);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_note);
    layout->addWidget(m_table);
    layout->addWidget(m_status);
}

void DeviceServicesTab::setServices(const QJsonArray& services, bool statesKnown) {
    m_table->setRows(services);
    if (statesKnown)
        m_note->clear();
    else
        m_note->showWarning(tr("systemd is not running on this device, so no service has a state to show; "
                               "Startup says how each one is set to start."));
}

} // namespace breeze::console
