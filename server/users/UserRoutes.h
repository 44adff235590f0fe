#pragma once

namespace breeze::server {

class Router;

// /api/v1/users (with their grants) and /api/v1/roles.
void registerUserRoutes(Router& router);

} // namespace breeze::server
