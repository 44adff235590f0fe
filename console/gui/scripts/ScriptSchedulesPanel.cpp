#include "scripts/ScriptSchedulesPanel.h"

#include "ConsoleConnection.h"
#include "JsonTableModel.h"
#include "TableColumns.h"
#include "widgets/Confirmation.h"
#include "widgets/InlineMessage.h"
#include "widgets/SelectionGate.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace breeze::console {

ScriptSchedulesPanel::ScriptSchedulesPanel(ConsoleConnection& connection, QWidget* parent)
    : QWidget(parent), m_connection(connection), m_client(connection.api()),
      m_model(new JsonTableModel(TableColumns::scriptSchedules(), this)), m_table(new QTableView(this)),
      m_status(new InlineMessage(this)) {
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setWordWrap(false);
    auto* refresh = new QPushButton(tr("Refresh"), this);
    auto* remove = new QPushButton(tr("Delete schedule…"), this);
    enableWithSelection(m_table, {remove});
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(refresh);
    buttons->addWidget(remove);
    buttons->addStretch();
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(m_table);
    layout->addWidget(m_status);
    connect(refresh, &QPushButton::clicked, this, &ScriptSchedulesPanel::reload);
    connect(remove, &QPushButton::clicked, this, &ScriptSchedulesPanel::deleteSelected);
}

void ScriptSchedulesPanel::reload() {
    m_client.schedules([this](const QJsonArray& items, const QString& error) {
        if (!error.isEmpty()) {
            m_status->showError(error);
            return;
        }
        m_model->setItems(schedulesWithTargets(items, m_connection.tree(), m_connection.devices()));
        m_table->resizeColumnsToContents();
        if (items.isEmpty())
            m_status->showInformation(
                tr("No runs are scheduled. Choose \"At\" in the Run dialog to schedule one."));
        else
            m_status->showInformation(tr("%n schedule(s).", nullptr, static_cast<int>(items.size())));
    });
}

void ScriptSchedulesPanel::deleteSelected() {
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid())
        return;
    const QJsonObject schedule = m_model->items().at(current.row()).toObject();
    const QString what = m_model->index(current.row(), 0).data().toString() + " → " +
                         m_model->index(current.row(), 1).data().toString();
    if (!Confirmation::ask(this, tr("Delete schedule"), tr("Stop the scheduled runs of %1?").arg(what)))
        return;
    m_client.removeSchedule(scheduleId(schedule), [this](bool, const QString& error) {
        if (!error.isEmpty())
            m_status->showError(error);
        reload();
    });
}

} // namespace breeze::console
