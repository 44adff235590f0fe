#include "devices/DeviceProcessesTab.h"

#include "JsonTableModel.h"
#include "TableColumns.h"
#include "devices/DeviceTablePage.h"
#include "widgets/SelectionGate.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QTableView>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

namespace breeze::console {

namespace {
constexpr int kLiveSeconds = 5;
constexpr int kRowRole = Qt::UserRole + 1; // a tree item's row in the listing
} // namespace

DeviceProcessesTab::DeviceProcessesTab(QWidget* parent)
    : QWidget(parent), m_rows(new JsonTableModel(TableColumns::processes(), this)),
      m_treeModel(new QStandardItemModel(this)), m_treeSort(new QSortFilterProxyModel(this)),
      m_tree(new QTreeView(this)), m_status(new InlineMessage(this)), m_tick(new QTimer(this)) {
    m_table = new DeviceTablePage(TableColumns::processes(), true, toolbar(), this);
    m_treeSort->setSourceModel(m_treeModel);
    m_treeSort->setSortRole(Qt::UserRole);
    m_tree->setModel(m_treeSort);
    m_tree->setSortingEnabled(true);
    m_tree->setUniformRowHeights(true);
    m_tree->hide();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table);
    layout->addWidget(m_tree);
    layout->addWidget(m_status);
    m_tick->setInterval(kLiveSeconds * 1000);
    connect(m_tick, &QTimer::timeout, this, [this] {
        // A listing unanswered for a minute (the device went away) no longer holds the next one back.
        if (m_waiting && m_askedAt.isValid() && m_askedAt.elapsed() > 60000)
            m_waiting = false;
        if (isVisible() && m_live->isChecked() && m_online && !m_waiting)
            refresh();
    });
    m_tick->start();
}

QWidget* DeviceProcessesTab::toolbar() {
    auto* tools = new QWidget(this);
    auto* buttons = new QHBoxLayout(tools);
    buttons->setContentsMargins(0, 0, 0, 0);
    m_refresh = new QPushButton(tr("Refresh"), tools);
    auto* end = new QPushButton(tr("End process…"), tools);
    m_live = new QCheckBox(tr("Update every %1 s").arg(kLiveSeconds), tools);
    m_live->setChecked(true);
    m_asTree = new QCheckBox(tr("Show as tree"), tools);
    buttons->addWidget(m_refresh);
    buttons->addWidget(end);
    buttons->addWidget(m_live);
    buttons->addWidget(m_asTree);
    buttons->addStretch();
    connect(m_refresh, &QPushButton::clicked, this, &DeviceProcessesTab::refresh);
    connect(end, &QPushButton::clicked, this, &DeviceProcessesTab::endSelected);
    connect(m_asTree, &QCheckBox::toggled, this, &DeviceProcessesTab::setTree);
    // End process waits for a selection in whichever view is shown.
    end->setEnabled(false);
    QTimer::singleShot(0, this, [this, end] {
        enableWithSelection(m_table->table(), {end});
        connect(m_tree->selectionModel(), &QItemSelectionModel::selectionChanged, end,
                [this, end] { end->setEnabled(!selectedProcess().isEmpty()); });
    });
    return tools;
}

void DeviceProcessesTab::say(InlineMessage::Kind kind, const QString& text) {
    if (kind != InlineMessage::Kind::Information)
        m_waiting = false; // refused, queued or failed: the next tick may ask again
    m_status->say(kind, text);
}

void DeviceProcessesTab::setDeviceOnline(bool online) {
    m_online = online;
}

void DeviceProcessesTab::setTree(bool tree) {
    m_asTree->setChecked(tree);
    m_table->setVisible(!tree);
    m_tree->setVisible(tree);
}

void DeviceProcessesTab::showListing(const QJsonObject& output) {
    m_waiting = false;
    const QJsonObject chosen = selectedProcess();
    const QJsonArray rows = m_sampler.add(output);
    m_table->setRows(rows);
    m_rows->setItems(rows);
    fillTree(rows);
    // The process being looked at stays chosen while the figures move.
    if (!chosen.isEmpty())
        m_table->selectWhere([](const QJsonObject& row) { return QString::number(processOf(row).pid); },
                             QString::number(processOf(chosen).pid));
}

// Each process under its parent; one whose parent is not listed (PID 1, kernel threads) at the top.
void DeviceProcessesTab::fillTree(const QJsonArray& rows) {
    const bool first = m_treeModel->rowCount() == 0;
    m_treeModel->clear();
    QStringList headers;
    for (int column = 0; column < m_rows->columnCount(); ++column)
        headers << m_rows->headerData(column, Qt::Horizontal).toString();
    m_treeModel->setHorizontalHeaderLabels(headers);
    QHash<qint64, QStandardItem*> byPid;
    QList<QPair<qint64, QList<QStandardItem*>>> items;
    for (int row = 0; row < rows.size(); ++row) {
        QList<QStandardItem*> cells;
        for (int column = 0; column < m_rows->columnCount(); ++column) {
            const QModelIndex index = m_rows->index(row, column);
            auto* cell = new QStandardItem(index.data().toString()); // plain text
            cell->setData(index.data(Qt::UserRole), Qt::UserRole);
            cell->setData(row, kRowRole);
            cell->setEditable(false);
            cells << cell;
        }
        const ProcessRow process = processOf(rows[row].toObject());
        byPid.insert(process.pid, cells.first());
        items.append({process.parentPid, cells});
    }
    for (const auto& [parentPid, cells] : items) {
        QStandardItem* parent = byPid.value(parentPid);
        if (parent && parent != cells.first())
            parent->appendRow(cells);
        else
            m_treeModel->appendRow(cells);
    }
    m_tree->expandAll();
    if (first)
        m_tree->header()->resizeSections(QHeaderView::ResizeToContents);
}

QJsonObject DeviceProcessesTab::selectedProcess() const {
    if (!m_tree->isVisible())
        return m_table->selectedRow();
    const QModelIndex current = m_tree->currentIndex();
    if (!current.isValid())
        return {};
    const int row = current.data(kRowRole).toInt();
    return row >= 0 && row < m_rows->items().size() ? m_rows->items()[row].toObject() : QJsonObject();
}

int DeviceProcessesTab::count() const {
    return m_table->rowCount();
}

void DeviceProcessesTab::refresh() {
    m_waiting = true;
    m_askedAt.start();
    Q_EMIT commandRequested(DeviceCommand::listProcesses(), "processes",
                            tr("Asking the device for its processes…"));
}

void DeviceProcessesTab::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (count() == 0 && !m_waiting)
        refresh();
}

void DeviceProcessesTab::endSelected() {
    const QJsonObject selected = selectedProcess();
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
