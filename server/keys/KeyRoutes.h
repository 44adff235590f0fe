#pragma once

namespace breeze::server {

class Router;

// /api/v1/api-keys and /api/v1/enrollment-keys: secrets shown once at creation, stored as SHA-256 hashes.
void registerKeyRoutes(Router& router);

} // namespace breeze::server
