#pragma once

namespace breeze::server {

class Router;

// Patch policies: automatic approval rules, a weekly maintenance window in the site's time zone, the scan
// interval, the reboot policy and missed-window handling; assigned to organisations or sites.
void registerPatchPolicyRoutes(Router& router);

} // namespace breeze::server
