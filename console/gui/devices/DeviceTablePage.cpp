#include "devices/DeviceTablePage.h"

#include "widgets/KeyboardPaths.h"

#include <QHeaderView>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace breeze::console {

DeviceTablePage::DeviceTablePage(QList<JsonTableModel::Column> columns, bool searchable, QWidget* toolbar,
                                 QWidget* parent)
    : QWidget(parent), m_model(new JsonTableModel(std::move(columns), this)), m_table(new QTableView(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    if (toolbar)
        layout->addWidget(toolbar);
    auto* proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(m_model);
    proxy->setFilterKeyColumn(0);
    proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    proxy->setSortRole(Qt::UserRole);
    if (searchable) {
        auto* search = new QLineEdit(this);
        search->setPlaceholderText(tr("Search"));
        search->setClearButtonEnabled(true);
        connect(search, &QLineEdit::textChanged, proxy, &QSortFilterProxyModel::setFilterFixedString);
        layout->addWidget(search);
        downArrowInto(search, m_table);
    }
    m_table->setModel(proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(0, Qt::AscendingOrder);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setWordWrap(false);
    connect(m_model, &QAbstractItemModel::modelReset, m_table,
            [this] { m_table->resizeColumnsToContents(); });
    layout->addWidget(m_table);
}

void DeviceTablePage::setRows(const QJsonArray& rows) {
    m_model->setItems(rows);
}

bool DeviceTablePage::selectWhere(const std::function<QString(const QJsonObject&)>& keyOf,
                                  const QString& key) {
    auto* proxy = static_cast<QSortFilterProxyModel*>(m_table->model());
    for (int row = 0; row < m_model->items().size(); ++row)
        if (keyOf(m_model->items()[row].toObject()) == key) {
            const QModelIndex shown = proxy->mapFromSource(m_model->index(row, 0));
            if (!shown.isValid())
                return false;
            m_table->selectRow(shown.row());
            return true;
        }
    return false;
}

QJsonObject DeviceTablePage::selectedRow() const {
    if (!m_table->currentIndex().isValid())
        return {};
    auto* proxy = static_cast<QSortFilterProxyModel*>(m_table->model());
    const int row = proxy->mapToSource(m_table->currentIndex()).row();
    return row >= 0 && row < m_model->items().size() ? m_model->items()[row].toObject() : QJsonObject();
}

} // namespace breeze::console
