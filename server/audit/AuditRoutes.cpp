#include "audit/AuditRoutes.h"

#include "http/ApiError.h"
#include "http/Pagination.h"
#include "http/RequestContext.h"

namespace breeze::server {

namespace {
using namespace permissions;

constexpr const char* kAuditJson =
    "json_build_object('id', a.id, 'at', a.at, 'partner_id', a.partner_id, 'org_id', a.org_id, 'actor_type', "
    "a.actor_type, 'actor_id', a.actor_id, 'actor_label', a.actor_label, 'address', a.address, 'request_id', "
    "a.request_id, 'action', a.action, 'resource_type', a.resource_type, 'resource_id', a.resource_id, "
    "'result', "
    "a.result, 'details', a.details)::text";

// Newest first: the sort key counts down as ids count up, and sorts as text.
constexpr const char* kNewestFirstKey = "lpad((9223372036854775807 - a.id)::text, 19, '0')";

std::string auditScopeSql(const AccessScope& scope) {
    return "((a.org_id IS NULL AND " + scope.sqlPartnerWide("a.partner_id") +
           ") OR (a.org_id IS NOT NULL AND " + scope.sqlOrg("a.partner_id", "a.org_id") + "))";
}

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
    SqlParams params;
    std::string sql = std::string("SELECT ") + kAuditJson + ", " + kNewestFirstKey +
                      " FROM audit_log a WHERE " + auditScopeSql(scope);
    if (auto org = ctx.uuidQuery("org")) {
        sql += " AND a.org_id = " + params.add(*org) + "::uuid";
    }
    if (auto action = ctx.query("action")) {
        // "orgs." matches every action on organisations; anything else matches exactly.
        if (action->size() > 100)
            throw ApiError::badRequest("action is too long");
        if (action->ends_with("."))
            sql += " AND starts_with(a.action, " + params.add(*action) + ")";
        else
            sql += " AND a.action = " + params.add(*action);
    }
    if (auto actor = ctx.query("actor")) {
        if (isUuid(*actor))
            sql += " AND a.actor_id = " + params.add(*actor) + "::uuid";
        else
            sql += " AND lower(a.actor_label) = lower(" + params.add(actor->substr(0, 320)) + ")";
    }
    if (auto result = ctx.query("result")) {
        if (*result != "success" && *result != "failure" && *result != "denied")
            throw ApiError::badRequest("result must be success, failure or denied");
        sql += " AND a.result = " + params.add(*result);
    }
    if (auto resource = ctx.query("resource_id"))
        sql += " AND a.resource_id = " + params.add(resource->substr(0, 100));
    if (auto since = timeQuery(ctx, "since"))
        sql += " AND a.at >= " + params.add(*since) + "::timestamptz";
    if (auto until = timeQuery(ctx, "until"))
        sql += " AND a.at < " + params.add(*until) + "::timestamptz";
    sql += pagination.sqlAfter(params, kNewestFirstKey, "a.id", "bigint") + " ORDER BY a.id DESC" +
           pagination.sqlLimit();
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    try {
        return ApiResponse::json(pagination.page(params.exec(tx.sql(), sql)));
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
    router.add({"GET", "/api/v1/audit", "", RouteAccess::Authenticated, listAudit});
    router.add({"GET", "/api/v1/audit/verify", "", RouteAccess::Authenticated, verifyAudit});
}

} // namespace breeze::server
