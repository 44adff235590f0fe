#pragma once

#include <QAbstractTableModel>
#include <QJsonArray>
#include <QStringList>

namespace breeze::console {

// A read-only table over a JSON array of objects (installed software, services, disks, processes, commands…):
// one row per object, one column per chosen field. Values are shown as the agent reported them, as plain
// text.
class JsonTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    struct Column {
        QString field;
        QString title;
    };

    explicit JsonTableModel(QList<Column> columns, QObject* parent = nullptr);

    void setItems(QJsonArray items);
    const QJsonArray& items() const { return m_items; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<Column> m_columns;
    QJsonArray m_items;
};

} // namespace breeze::console
