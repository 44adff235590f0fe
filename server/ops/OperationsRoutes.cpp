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

ApiResponse openapi(RequestContext&) {
    return ApiResponse::text(openApiDocument(), "application/json");
}
} // namespace

void registerOperationsRoutes(Router& router) {
    router.add({"GET", "/healthz", "", RouteAccess::Public, healthz});
    router.add({"GET", "/readyz", "", RouteAccess::Public, readyz});
    router.add({"GET", "/metrics", "", RouteAccess::Public, metrics});
    router.add({"GET", "/api/v1/openapi.json", "", RouteAccess::Public, openapi});
}

} // namespace breeze::server
