#pragma once

#include <QString>

namespace breeze::console {

// The part of the fleet the technician chose in the tree or the palette: everything, an organisation, a site,
// or a device group within a site. The device list, dashboard, scripts, patches and status bar all follow it.
struct FleetScope {
    QString orgId;
    QString siteId;
    QString groupId; // a group node stands under a site: siteId is set with it

    bool everything() const { return orgId.isEmpty() && siteId.isEmpty() && groupId.isEmpty(); }
    bool operator==(const FleetScope&) const = default;
};

} // namespace breeze::console
