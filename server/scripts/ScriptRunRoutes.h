#pragma once

namespace breeze::server {

class Router;

// Running scripts: runs (a batch, one run_script command per device), executions (those commands with
// their script and device), their live output, and cancelling a whole run.
void registerScriptRunRoutes(Router& router);

} // namespace breeze::server
