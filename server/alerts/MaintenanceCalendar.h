#pragma once

#include "alerts/AlertRule.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace breeze::server {

struct MaintenanceWindow {
    std::string id;
    AssignmentLevel level = AssignmentLevel::Org; // org, site, group or device
    std::string targetId;
    std::int64_t startsMs = 0; // the first occurrence
    std::int64_t endsMs = 0;
    std::int64_t periodMs = 0; // 0: once; a day or a week for repeating windows

    bool covers(const DevicePlacement& device) const;
    // The occurrence that holds `nowMs`, as [start, end); nothing outside one.
    std::optional<std::pair<std::int64_t, std::int64_t>> occurrenceAt(std::int64_t nowMs) const;
    // When the occurrence holding `nowMs`, or the next one, ends; nothing for a past one-off window.
    std::optional<std::int64_t> nextEnd(std::int64_t nowMs) const;
};

// The maintenance windows the alert engine knows: which devices are inside one now, and when windows end
// (their ends are timers: conditions are evaluated afresh then).
class MaintenanceCalendar {
public:
    void add(MaintenanceWindow window) { m_windows.push_back(std::move(window)); }
    bool inMaintenance(const DevicePlacement& device, std::int64_t nowMs) const;
    const std::vector<MaintenanceWindow>& windows() const { return m_windows; }

private:
    std::vector<MaintenanceWindow> m_windows;
};

} // namespace breeze::server
