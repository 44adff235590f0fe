#pragma once

namespace breeze::server {

class Router;

// /api/v1/audit: filtered, paginated queries of the audit log, and a check of its hash chain.
void registerAuditRoutes(Router& router);

} // namespace breeze::server
