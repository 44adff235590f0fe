#include "ops/OperationsRoutes.h"

#include "http/RequestContext.h"
#include "ops/OpenApiDocument.h"

namespace breeze::server {

namespace {
ApiResponse healthz(RequestContext&) {
    return ApiResponse::json({{"status", "ok"}});
}

ApiResponse readyz(RequestContext& ctx) {
    if (ctx.server.pool.ping())
        return ApiResponse::json({{"status", "ready"}, {"database", "reachable"}});
    ApiResponse response = ApiResponse::json({{"status", "unavailable"}, {"database", "unreachable"}}, 503);
    response.headers.emplace_back("Retry-After", "5");
    return response;
}

ApiResponse metrics(RequestContext& ctx) {
    return ApiResponse::text(ctx.server.metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
}

// What a client needs before it signs in: where the WebSocket endpoints are.
ApiResponse serverInfo(RequestContext& ctx) {
    return ApiResponse::json({{"version", BREEZE_VERSION},
                              {"gateway_port", ctx.server.gatewayPort},
                              {"agent_path", "/api/v1/agent/ws"},
                              {"console_path", "/api/v1/console/ws"}});
}

ApiResponse openapi(RequestContext&) {
    return ApiResponse::text(openApiDocument(), "application/json");
}
} // namespace

void registerOperationsRoutes(Router& router) {
    router.add({HttpMethod::Get, "/healthz", "", RouteAccess::Public, healthz});
    router.add({HttpMethod::Get, "/readyz", "", RouteAccess::Public, readyz});
    router.add({HttpMethod::Get, "/metrics", "", RouteAccess::Public, metrics});
    router.add({HttpMethod::Get, "/api/v1/openapi.json", "", RouteAccess::Public, openapi});
    router.add({HttpMethod::Get, "/api/v1/server-info", "", RouteAccess::Public, serverInfo});
}

} // namespace breeze::server
