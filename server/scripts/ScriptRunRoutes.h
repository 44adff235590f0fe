#pragma once

namespace breeze::server {

class Router;
class RequestContext;
struct ApiResponse;

// Running scripts: runs (a batch, one run_script command per device), executions (those commands with
// their script and device), their live output, and cancelling a whole run.
void registerScriptRunRoutes(Router& router);

// POST /api/v1/scripts/{id}/runs: what a schedule replays, with its maker's authority, when its time comes.
ApiResponse startScriptRun(RequestContext& ctx);

} // namespace breeze::server
