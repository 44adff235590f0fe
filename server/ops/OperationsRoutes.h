#pragma once

namespace breeze::server {

class Router;

// /healthz (the process answers), /readyz (and can reach PostgreSQL), /metrics, /api/v1/openapi.json.
void registerOperationsRoutes(Router& router);

} // namespace breeze::server
