#pragma once

namespace breeze::server {

class Router;

// /api/v1/me/device-filters: the signed-in person's named device filters (search, condition, scope), saved on
// the server so that they follow them to any workstation.
void registerSavedFilterRoutes(Router& router);

} // namespace breeze::server
