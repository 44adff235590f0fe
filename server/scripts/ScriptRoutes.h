#pragma once

namespace breeze::server {

class Router;

// The script library: scripts (partner-wide or an organisation's), their immutable versions, diff sources
// and restore.
void registerScriptRoutes(Router& router);

} // namespace breeze::server
