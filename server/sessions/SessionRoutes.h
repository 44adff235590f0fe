#pragma once

namespace breeze::server {

class Router;

// Live sessions: POST /api/v1/devices/{id}/sessions (a terminal or file session; the answer carries a one-use
// token and the relay URL of the node holding the device's agent), GET /api/v1/sessions and /{id}, POST
// /api/v1/sessions/{id}/attach (a new token for the session's own maker, to come back after a drop), DELETE
// /api/v1/sessions/{id} (end it).
void registerSessionRoutes(Router& router);

} // namespace breeze::server
