#include "audit/AuditLog.h"

#include "db/SqlParams.h"
#include "http/Pagination.h"

namespace breeze::server {

void AuditLog::record(ScopedTransaction& tx, const AuditEvent& event) {
    tx.sql().exec_params("INSERT INTO audit_log (partner_id, org_id, actor_type, actor_id, actor_label, "
                         "address, request_id, action, "
                         "resource_type, resource_id, result, details) VALUES ($1::uuid, $2::uuid, $3, "
                         "$4::uuid, $5, $6, $7, $8, $9, "
                         "$10, $11, $12::jsonb)",
                         event.partnerId, event.orgId, event.actorType, event.actorId,
                         event.actorLabel.substr(0, 320), event.address, event.requestId, event.action,
                         event.resourceType, event.resourceId, event.result,
                         event.details.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

AuditVerification AuditLog::verify(ScopedTransaction& tx) {
    const auto row = tx.sql().exec1("SELECT bad_id, checked FROM breeze_audit_verify()");
    AuditVerification out{row["bad_id"].is_null(), row["checked"].as<long long>(), std::nullopt};
    if (!row["bad_id"].is_null())
        out.firstBadId = row["bad_id"].as<long long>();
    return out;
}

namespace {
constexpr const char* kAuditJson =
    "json_build_object('id', a.id, 'at', a.at, 'partner_id', a.partner_id, 'org_id', a.org_id, 'actor_type', "
    "a.actor_type, 'actor_id', a.actor_id, 'actor_label', a.actor_label, 'address', a.address, 'request_id', "
    "a.request_id, 'action', a.action, 'resource_type', a.resource_type, 'resource_id', a.resource_id, "
    "'resource_name', coalesce(breeze_resource_name(a.resource_type, a.resource_id), a.details->>'name', "
    "nullif(a.resource_id, '')), 'result', a.result, 'details', a.details)::text";

// Newest first: the sort key counts down as ids count up, and sorts as text.
constexpr const char* kNewestFirstKey = "lpad((9223372036854775807 - a.id)::text, 19, '0')";
} // namespace

nlohmann::json AuditLog::list(ScopedTransaction& tx, const AuditFilter& filter, const Pagination& pagination,
                              const AccessScope& scope) {
    SqlParams params;
    std::string sql = std::string("SELECT ") + kAuditJson + " AS item, " + kNewestFirstKey + " AS sort_key" +
                      " FROM audit_log a WHERE ((" + "a.org_id IS NULL AND " +
                      scope.sqlPartnerWide("a.partner_id") + ") OR (a.org_id IS NOT NULL AND " +
                      scope.sqlOrg("a.partner_id", "a.org_id") + "))";
    if (filter.orgId)
        sql += " AND a.org_id = " + params.add(*filter.orgId) + "::uuid";
    if (filter.action)
        sql += filter.action->ends_with(".")
                   ? " AND starts_with(a.action, " + params.add(*filter.action) + ")"
                   : " AND a.action = " + params.add(*filter.action);
    if (filter.actorId)
        sql += " AND a.actor_id = " + params.add(*filter.actorId) + "::uuid";
    if (filter.actorLabel)
        sql += " AND lower(a.actor_label) = lower(" + params.add(*filter.actorLabel) + ")";
    if (filter.result)
        sql += " AND a.result = " + params.add(*filter.result);
    if (filter.resourceId)
        sql += " AND a.resource_id = " + params.add(*filter.resourceId);
    if (filter.since)
        sql += " AND a.at >= " + params.add(*filter.since) + "::timestamptz";
    if (filter.until)
        sql += " AND a.at < " + params.add(*filter.until) + "::timestamptz";
    sql += pagination.sqlAfter(params, kNewestFirstKey, "a.id", "bigint") + " ORDER BY a.id DESC" +
           pagination.sqlLimit();
    return pagination.page(params.exec(tx.sql(), sql));
}

} // namespace breeze::server
