#pragma once

#include "Device.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QVector>

namespace breeze::console {

// Every device the technician may see, one row each. Live events change single cells (dataChanged on one
// row), never the whole model, so selections and scroll positions survive and 100,000 rows stay cheap.
class DeviceTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column {
        Hostname,
        Status,
        Os,
        Address,
        LastUser,
        LastSeen,
        AgentVersion,
        Cpu,
        Memory,
        Tags,
        ColumnCount
    };
    enum Role { DeviceIdRole = Qt::UserRole + 1, StatusRole, OrgIdRole, SiteIdRole, GroupIdRole, SortRole };

    using QAbstractTableModel::QAbstractTableModel;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setDevices(QVector<Device> devices);
    void upsert(const Device& device);
    void remove(const QString& deviceId);
    // Applies a device event from the live channel; false when the model cannot apply it alone (a device it
    // does not know yet: the caller fetches it).
    bool applyEvent(const QJsonObject& event);
    // Heartbeat summaries from the live channel (CPU, memory, user, last seen of many devices at once): one
    // dataChanged per known device, over the columns that changed.
    void applySummaries(const QJsonArray& summaries);

    const Device* device(const QString& id) const;
    const Device& at(int row) const { return m_devices[row]; }
    // For DeviceFilterModel: one lower-cased line of everything searchable, and the host name's sort key.
    const QString& searchKey(int row) const { return m_keys[row].search; }
    const QString& sortKey(int row) const { return m_keys[row].sort; }
    int rowOf(const QString& id) const { return m_rowById.value(id, -1); }
    int onlineCount() const { return m_online; }

Q_SIGNALS:
    void countsChanged(int total, int online);

private:
    void reindexFrom(int row);

    struct Keys {
        QString search;
        QString sort;
    };
    static Keys keysOf(const Device& device);

    QVector<Device> m_devices;
    QVector<Keys> m_keys; // parallel to m_devices
    QHash<QString, int> m_rowById;
    int m_online = 0;
};

} // namespace breeze::console
