#pragma once

#include "FleetScope.h"

#include <QSet>
#include <QSortFilterProxyModel>

namespace breeze::console {

class DeviceTableModel;
struct Device;

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
    void setScope(const FleetScope& scope) { setScope(scope.orgId, scope.siteId, scope.groupId); }
    FleetScope scope() const { return {m_orgId, m_siteId, m_groupId}; }
    // What the dashboard's tiles lead to: devices in a state, on top of the scope and the search.
    enum class Condition {
        Any,
        Online,
        Offline, // not revoked: a revoked device will not come back
        NeedsReboot,
        DiskOver90,
        PatchesMissing,
        PatchesFailed,
        Listed, // the devices named (scripts that failed on them, say)
    };
    void setCondition(Condition condition, QSet<QString> deviceIds = {});
    Condition condition() const { return m_condition; }
    static bool meets(const Device& device, Condition condition);
    bool scoped() const { return !m_orgId.isEmpty() || !m_siteId.isEmpty() || !m_groupId.isEmpty(); }
    const QString& scopeOrgId() const { return m_orgId; }
    const QString& scopeSiteId() const { return m_siteId; }
    const QString& scopeGroupId() const { return m_groupId; }
    // The devices in the scope, whatever the search: how many, and how many of them are online.
    struct Counts {
        int total = 0;
        int online = 0;
    };
    Counts scopeCounts() const;
    bool inScope(int sourceRow) const;

Q_SIGNALS:
    void scopeChanged();
    void conditionChanged();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    DeviceTableModel& m_devices;
    QString m_search;
    QString m_orgId;
    QString m_siteId;
    QString m_groupId;
    Condition m_condition = Condition::Any;
    QSet<QString> m_listed;
};

} // namespace breeze::console
