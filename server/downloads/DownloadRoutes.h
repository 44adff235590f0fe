#pragma once

namespace breeze::server {

class Router;

// GET /downloads/{file}: agent packages for new machines (public: a machine has no credential before it is
// enrolled). Only plain file names from downloads.dir are served.
void registerDownloadRoutes(Router& router);

} // namespace breeze::server
