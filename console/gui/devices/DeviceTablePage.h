#pragma once

#include "JsonTableModel.h"

#include <QJsonObject>
#include <QWidget>

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
    // Selects the row whose `field` holds `value` (as shown: sorted, searched); false when none does.
    bool selectWhere(const QString& field, const QString& value);
    QTableView* table() const { return m_table; }

private:
    JsonTableModel* m_model;
    QTableView* m_table;
};

} // namespace breeze::console
