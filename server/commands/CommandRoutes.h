#pragma once

namespace breeze::server {

class Router;

// Commands for devices: POST /api/v1/devices/{id}/commands, /api/v1/commands (list, get, cancel) and
// /api/v1/command-types.
void registerCommandRoutes(Router& router);

} // namespace breeze::server
