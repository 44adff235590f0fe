#include "scripts/ScriptLibraryList.h"

#include "TableColumns.h"
#include "widgets/KeyboardPaths.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonObject>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace breeze::console {

ScriptLibraryList::ScriptLibraryList(QWidget* parent)
    : QWidget(parent), m_model(new JsonTableModel(TableColumns::scriptLibrary(), this)),
      m_filter(new QSortFilterProxyModel(this)), m_table(new QTableView(this)),
      m_search(new QLineEdit(this)) {
    m_filter->setSourceModel(m_model);
    m_filter->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_filter->setFilterKeyColumn(-1);
    m_table->setModel(m_filter);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(0, Qt::AscendingOrder);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_table->verticalHeader()->hide();
    m_search->setPlaceholderText(tr("Search scripts"));
    m_search->setClearButtonEnabled(true);
    auto* newButton = new QPushButton(tr("New script"), this);
    auto* refresh = new QPushButton(tr("Refresh"), this);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_search);
    layout->addWidget(m_table, 1);
    downArrowInto(m_search, m_table);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(newButton);
    buttons->addWidget(refresh);
    layout->addLayout(buttons);
    connect(m_search, &QLineEdit::textChanged, m_filter, &QSortFilterProxyModel::setFilterFixedString);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                if (current.isValid())
                    Q_EMIT chosen(m_model->items().at(m_filter->mapToSource(current).row()).toObject());
            });
    connect(newButton, &QPushButton::clicked, this, &ScriptLibraryList::newRequested);
    connect(refresh, &QPushButton::clicked, this, &ScriptLibraryList::refreshRequested);
}

void ScriptLibraryList::setScripts(const QJsonArray& scripts) {
    m_model->setItems(scripts);
}

void ScriptLibraryList::clearSelection() {
    m_table->clearSelection();
}

} // namespace breeze::console
