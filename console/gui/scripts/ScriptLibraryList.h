#pragma once

#include "JsonTableModel.h"

#include <QWidget>

class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

namespace breeze::console {

// The script library's list: searchable, sorted by name, with New script and Refresh. Choosing a row asks
// for that script.
class ScriptLibraryList : public QWidget {
    Q_OBJECT

public:
    explicit ScriptLibraryList(QWidget* parent = nullptr);

    void setScripts(const QJsonArray& scripts);
    void clearSelection();
    QTableView* table() const { return m_table; }

Q_SIGNALS:
    void chosen(const QJsonObject& script); // a library item, without its text
    void newRequested();
    void refreshRequested();

private:
    JsonTableModel* m_model;
    QSortFilterProxyModel* m_filter;
    QTableView* m_table;
    QLineEdit* m_search;
};

} // namespace breeze::console
