#include "audit/AuditRoutes.h"

#include "audit/AuditLog.h"
#include "http/ApiError.h"
#include "http/Pagination.h"
#include "http/RequestContext.h"

namespace breeze::server {

namespace {
using namespace permissions;

std::optional<std::string> timeQuery(const RequestContext& ctx, const std::string& name) {
    auto value = ctx.query(name);
    if (!value)
        return value;
    // Accept RFC 3339 timestamps only; PostgreSQL parses them, this keeps other text away from the cast.
    if (value->size() < 10 || value->size() > 40 ||
        value->find_first_not_of("0123456789-:.TZ+ ") != std::string::npos)
        throw ApiError::badRequest(name + " must be an RFC 3339 time such as 2026-01-31T12:00:00Z");
    return value;
}

ApiResponse listAudit(RequestContext& ctx) {
    const AccessScope scope = ctx.require(AuditRead);
    Pagination pagination(ctx);
    AuditFilter filter;
    filter.orgId = ctx.uuidQuery("org");
    if (auto action = ctx.query("action")) {
        if (action->size() > 100)
            throw ApiError::badRequest("action is too long");
        filter.action = action;
    }
    if (auto actor = ctx.query("actor")) {
        if (isUuid(*actor))
            filter.actorId = actor;
        else
            filter.actorLabel = actor->substr(0, 320);
    }
    if (auto result = ctx.query("result")) {
        if (*result != "success" && *result != "failure" && *result != "denied")
            throw ApiError::badRequest("result must be success, failure or denied");
        filter.result = result;
    }
    if (auto resource = ctx.query("resource_id"))
        filter.resourceId = resource->substr(0, 100);
    filter.since = timeQuery(ctx, "since");
    filter.until = timeQuery(ctx, "until");
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    try {
        return ApiResponse::json(AuditLog::list(tx, filter, pagination, scope));
    } catch (const pqxx::data_exception&) {
        throw ApiError::badRequest("since and until must be valid RFC 3339 times");
    }
}

ApiResponse verifyAudit(RequestContext& ctx) {
    const AccessScope scope = ctx.require(AuditRead);
    if (!scope.isWholePartner())
        throw ApiError::forbidden("checking the audit chain needs audit:read across the whole partner");
    auto lease = ctx.server.pool.acquire();
    // The chain spans every tenant, so checking it reads rows outside the caller's scope; only the verdict
    // leaves.
    ScopedTransaction tx(*lease, SystemAccess{"verify the audit chain"});
    const auto verdict = AuditLog::verify(tx);
    return ApiResponse::json({{"intact", verdict.intact},
                              {"first_bad_id", verdict.firstBadId ? nlohmann::json(*verdict.firstBadId)
                                                                  : nlohmann::json(nullptr)}});
}
} // namespace

void registerAuditRoutes(Router& router) {
    router.add({HttpMethod::Get, "/api/v1/audit", "", RouteAccess::Authenticated, listAudit});
    router.add({HttpMethod::Get, "/api/v1/audit/verify", "", RouteAccess::Authenticated, verifyAudit});
}

} // namespace breeze::server
