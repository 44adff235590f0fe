#include "devices/DeviceProcessesTab.h"

#include "TableColumns.h"
#include "devices/DeviceTablePage.h"
#include "widgets/SelectionGate.h"

#include <QHBoxLayout>
#include <QMessageBox>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace breeze::console {

DeviceProcessesTab::DeviceProcessesTab(QWidget* parent) : QWidget(parent), m_status(new InlineMessage(this)) {
    auto* tools = new QWidget(this);
    auto* buttons = new QHBoxLayout(tools);
    buttons->setContentsMargins(0, 0, 0, 0);
    m_refresh = new QPushButton(tr("Refresh"), tools);
    auto* end = new QPushButton(tr("End process…"), tools);
    buttons->addWidget(m_refresh);
    buttons->addWidget(end);
    buttons->addStretch();
    m_table = new DeviceTablePage(TableColumns::processes(), true, tools, this);
    enableWithSelection(m_table->table(), {end});
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table);
    layout->addWidget(m_status);
    connect(m_refresh, &QPushButton::clicked, this, &DeviceProcessesTab::refresh);
    connect(end, &QPushButton::clicked, this, &DeviceProcessesTab::endSelected);
}

void DeviceProcessesTab::setProcesses(const QJsonArray& processes) {
    m_table->setRows(processes);
}

int DeviceProcessesTab::count() const {
    return m_table->rowCount();
}

void DeviceProcessesTab::refresh() {
    Q_EMIT commandRequested(DeviceCommand::listProcesses(), "processes",
                            tr("Asking the device for its processes…"));
}

void DeviceProcessesTab::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (count() == 0)
        refresh();
}

void DeviceProcessesTab::endSelected() {
    const QJsonObject selected = m_table->selectedRow();
    if (selected.isEmpty()) {
        say(InlineMessage::Kind::Warning, tr("Choose a process first."));
        return;
    }
    const ProcessRow process = processOf(selected);
    QMessageBox ask(QMessageBox::Warning, tr("End process"),
                    tr("End %1 (PID %2) on this device?").arg(process.name, QString::number(process.pid)),
                    QMessageBox::NoButton, this);
    ask.setTextFormat(Qt::PlainText);
    auto* term = ask.addButton(tr("End (TERM)"), QMessageBox::AcceptRole);
    auto* hard = ask.addButton(tr("Kill (KILL)"), QMessageBox::DestructiveRole);
    ask.setDefaultButton(ask.addButton(QMessageBox::Cancel)); // Enter never ends a process
    ask.exec();
    if (ask.clickedButton() != term && ask.clickedButton() != hard)
        return;
    Q_EMIT commandRequested(DeviceCommand::endProcess(process.pid, ask.clickedButton() == hard), "kill",
                            tr("Ending process %1…").arg(process.pid));
}

} // namespace breeze::console
