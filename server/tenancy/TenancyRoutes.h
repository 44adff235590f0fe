#pragma once

namespace breeze::server {

class Router;

// The tenant tree: /api/v1/partner, /orgs, /sites, /groups.
void registerTenancyRoutes(Router& router);

} // namespace breeze::server
