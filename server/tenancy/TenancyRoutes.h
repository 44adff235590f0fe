#pragma once

namespace breeze::server {

class Router;

// The tenant tree: /api/v1/partners, /orgs, /sites, /groups.
void registerTenancyRoutes(Router& router);

} // namespace breeze::server
