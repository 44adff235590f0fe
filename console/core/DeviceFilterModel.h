#pragma once

#include <QSortFilterProxyModel>

namespace breeze::console {

class DeviceTableModel;

// The device table's search and sort, fast enough for 100,000 rows: the search matches one precomputed,
// lower-cased line per device (host name, identity, address, operating system, status, tags) and host names
// compare as precomputed keys, so neither goes through QVariant for every row.
class DeviceFilterModel : public QSortFilterProxyModel {
    Q_OBJECT

public:
    explicit DeviceFilterModel(DeviceTableModel& devices, QObject* parent = nullptr);
    void setSearch(const QString& text);
    // Only devices of this organisation, site or group (from the tree; a group node stands under a site, so
    // both are given); empty ids: every device.
    void setScope(const QString& orgId, const QString& siteId, const QString& groupId = {});

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    DeviceTableModel& m_devices;
    QString m_search;
    QString m_orgId;
    QString m_siteId;
    QString m_groupId;
};

} // namespace breeze::console
