#pragma once

namespace breeze::server {

class Router;

// Scheduled script runs: POST /api/v1/scripts/{id}/schedules (a run request with a time and a repetition,
// checked now as a run would be), GET /api/v1/script-schedules and DELETE /api/v1/script-schedules/{id}.
void registerScheduleRoutes(Router& router);

} // namespace breeze::server
