#include "alerts/MaintenanceCalendar.h"

namespace breeze::server {

bool MaintenanceWindow::covers(const DevicePlacement& device) const {
    switch (level) {
    case AssignmentLevel::Org:
        return device.orgId == targetId;
    case AssignmentLevel::Site:
        return device.siteId == targetId;
    case AssignmentLevel::Group:
        return !device.groupId.empty() && device.groupId == targetId;
    case AssignmentLevel::Device:
        return device.deviceId == targetId;
    case AssignmentLevel::Partner:
        return device.partnerId == targetId;
    }
    return false;
}

std::optional<std::pair<std::int64_t, std::int64_t>>
MaintenanceWindow::occurrenceAt(std::int64_t nowMs) const {
    if (nowMs < startsMs)
        return std::nullopt;
    std::int64_t start = startsMs;
    if (periodMs > 0)
        start += (nowMs - startsMs) / periodMs * periodMs;
    const std::int64_t end = start + (endsMs - startsMs);
    if (nowMs >= end)
        return std::nullopt;
    return std::make_pair(start, end);
}

std::optional<std::int64_t> MaintenanceWindow::nextEnd(std::int64_t nowMs) const {
    if (const auto now = occurrenceAt(nowMs))
        return now->second;
    if (nowMs < startsMs)
        return endsMs;
    if (periodMs == 0)
        return std::nullopt;
    const std::int64_t nextStart = startsMs + ((nowMs - startsMs) / periodMs + 1) * periodMs;
    return nextStart + (endsMs - startsMs);
}

bool MaintenanceCalendar::inMaintenance(const DevicePlacement& device, std::int64_t nowMs) const {
    for (const auto& window : m_windows)
        if (window.covers(device) && window.occurrenceAt(nowMs))
            return true;
    return false;
}

} // namespace breeze::server
