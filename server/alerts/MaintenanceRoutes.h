#pragma once

namespace breeze::server {

class Router;

// Maintenance windows: GET and POST /api/v1/maintenance-windows, DELETE /api/v1/maintenance-windows/{id}.
void registerMaintenanceRoutes(Router& router);

} // namespace breeze::server
