#include "devices/DeviceCommandsTab.h"

#include "DeviceCommands.h"
#include "TableColumns.h"
#include "devices/DeviceTablePage.h"

#include <QPlainTextEdit>
#include <QTableView>
#include <QVBoxLayout>

namespace breeze::console {

DeviceCommandsTab::DeviceCommandsTab(QWidget* parent)
    : QWidget(parent), m_table(new DeviceTablePage(TableColumns::commands(), true, nullptr, this)),
      m_output(new QPlainTextEdit(this)) {
    m_output->setReadOnly(true);
    m_output->setPlaceholderText(tr("Choose a command to see its output"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table, 3);
    layout->addWidget(m_output, 2);
    connect(m_table->table()->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this] { m_output->setPlainText(commandText(m_table->selectedRow())); });
}

void DeviceCommandsTab::setCommands(const QJsonArray& commands) {
    m_table->setRows(commands);
    // Newest first, and the newest one's answer shown at once.
    m_table->table()->sortByColumn(0, Qt::DescendingOrder);
    if (m_table->rowCount() > 0)
        m_table->table()->selectRow(0);
}

} // namespace breeze::console
