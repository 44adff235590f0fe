#pragma once

namespace breeze::server {

class Router;

// /api/v1/agent/enroll (an agent redeems an enrollment key for a device credential) and /api/v1/devices.
void registerDeviceRoutes(Router& router);

} // namespace breeze::server
