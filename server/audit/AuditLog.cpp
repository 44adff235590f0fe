#include "audit/AuditLog.h"

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
    AuditVerification out{row[0].is_null(), row[1].as<long long>(), std::nullopt};
    if (!row[0].is_null())
        out.firstBadId = row[0].as<long long>();
    return out;
}

} // namespace breeze::server
