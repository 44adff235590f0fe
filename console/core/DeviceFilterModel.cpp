#include "DeviceFilterModel.h"

#include "DeviceTableModel.h"

namespace breeze::console {

DeviceFilterModel::DeviceFilterModel(DeviceTableModel& devices, QObject* parent)
    : QSortFilterProxyModel(parent), m_devices(devices) {
    setSourceModel(&devices);
    setSortRole(DeviceTableModel::SortRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
}

void DeviceFilterModel::setSearch(const QString& text) {
    const QString search = text.trimmed().toLower();
    if (search == m_search)
        return;
    m_search = search;
    invalidateFilter();
}

void DeviceFilterModel::setScope(const QString& orgId, const QString& siteId, const QString& groupId) {
    if (orgId == m_orgId && siteId == m_siteId && groupId == m_groupId)
        return;
    m_orgId = orgId;
    m_siteId = siteId;
    m_groupId = groupId;
    invalidateFilter();
    Q_EMIT scopeChanged();
}

void DeviceFilterModel::setCondition(Condition condition, QSet<QString> deviceIds) {
    if (condition == m_condition && deviceIds == m_listed)
        return;
    m_condition = condition;
    m_listed = std::move(deviceIds);
    invalidateFilter();
    Q_EMIT conditionChanged();
}

bool DeviceFilterModel::meets(const Device& device, Condition condition) {
    switch (condition) {
    case Condition::Online:
        return device.online();
    case Condition::Offline:
        return !device.online() && !device.revoked;
    case Condition::NeedsReboot:
        return device.rebootRequired;
    case Condition::DiskOver90:
        return device.fullestDisk.usedPercent > 90;
    case Condition::PatchesMissing:
        return device.patchesMissing > 0;
    case Condition::PatchesFailed:
        return device.patchesFailed > 0;
    case Condition::Any:
    case Condition::Listed:
        return true;
    }
    return true;
}

bool DeviceFilterModel::inScope(int sourceRow) const {
    if (!scoped())
        return true;
    const Device& device = m_devices.at(sourceRow);
    return (m_orgId.isEmpty() || device.orgId == m_orgId) &&
           (m_siteId.isEmpty() || device.siteId == m_siteId) &&
           (m_groupId.isEmpty() || device.groupId == m_groupId);
}

DeviceFilterModel::Counts DeviceFilterModel::scopeCounts() const {
    if (!scoped())
        return {m_devices.rowCount(), m_devices.onlineCount()};
    Counts counts;
    for (int row = 0; row < m_devices.rowCount(); ++row)
        if (inScope(row)) {
            ++counts.total;
            counts.online += m_devices.at(row).status == "online";
        }
    return counts;
}

bool DeviceFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex&) const {
    if (!inScope(sourceRow))
        return false;
    const Device& device = m_devices.at(sourceRow);
    if (m_condition == Condition::Listed ? !m_listed.contains(device.id) : !meets(device, m_condition))
        return false;
    return m_search.isEmpty() || m_devices.searchKey(sourceRow).contains(m_search);
}

bool DeviceFilterModel::lessThan(const QModelIndex& left, const QModelIndex& right) const {
    if (left.column() == DeviceTableModel::Hostname)
        return m_devices.sortKey(left.row()) < m_devices.sortKey(right.row());
    return QSortFilterProxyModel::lessThan(left, right);
}

} // namespace breeze::console
