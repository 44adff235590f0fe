#pragma once

namespace breeze::server {

class Router;

// What agents reported about a device: /api/v1/devices/{id}/inventory, /software, /inventory/changes,
// /metrics and /events.
void registerDeviceDataRoutes(Router& router);

} // namespace breeze::server
