#pragma once

namespace breeze::server {

class Router;

// Every REST route the server serves, registered in one place.
void registerAllRoutes(Router& router);

} // namespace breeze::server
