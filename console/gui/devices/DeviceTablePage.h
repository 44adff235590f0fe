#pragma once

#include "JsonTableModel.h"

#include <QJsonObject>
#include <QWidget>
#include <functional>

class QTableView;

namespace breeze::console {

// A device tab that is one table of rows the agent reported: sortable, optionally searchable, with an
// optional toolbar above it. Cells are plain text.
class DeviceTablePage : public QWidget {
    Q_OBJECT

public:
    DeviceTablePage(QList<JsonTableModel::Column> columns, bool searchable, QWidget* toolbar = nullptr,
                    QWidget* parent = nullptr);

    void setRows(const QJsonArray& rows);
    int rowCount() const { return m_model->rowCount(); }
    // The selected row; empty when none is.
    QJsonObject selectedRow() const;
    // Selects the row whose key (as `keyOf` reads it) is `key`, where it is shown (sorted, searched); false
    // when none is.
    bool selectWhere(const std::function<QString(const QJsonObject&)>& keyOf, const QString& key);
    QTableView* table() const { return m_table; }

private:
    JsonTableModel* m_model;
    QTableView* m_table;
};

} // namespace breeze::console
