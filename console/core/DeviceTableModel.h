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
        Organisation,
        Site,
        Os,
        Addresses, // every interface's address
        Address,   // where the agent connects from
        LastUser,
        LastSeen,
        Uptime,
        FreeDisk, // of the fullest filesystem
        Patches,
        Reboot,
        Cpu,
        Memory,
        AgentVersion,
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

    // Organisation and site names by id (from the tenancy the tree loads), for their columns and the search.
    void setPlaceNames(QHash<QString, QString> names);
    QString placeName(const QString& id) const { return m_placeNames.value(id); }

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
    Keys keysOf(const Device& device) const;
    QVariant display(const Device& device, int column, bool forSorting) const;
    QVariant tooltip(const Device& device, int column) const;

    QVector<Device> m_devices;
    QVector<Keys> m_keys; // parallel to m_devices
    QHash<QString, int> m_rowById;
    QHash<QString, QString> m_placeNames;
    int m_online = 0;
};

} // namespace breeze::console
