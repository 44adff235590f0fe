#pragma once

namespace breeze::server {

class Router;

// Patch management: scans, the catalog and each device's patches, decisions (approve, reject, defer) at four
// levels, deployments now or at a time, per-package results with logs, and rollbacks.
void registerPatchRoutes(Router& router);

} // namespace breeze::server
