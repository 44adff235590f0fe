#include "devices/DeviceEvents.h"

#include "db/ScopedTransaction.h"

#include <pqxx/pqxx>

namespace breeze::server {

void recordDeviceEvent(ScopedTransaction& tx, const DeviceEventSubject& subject, const std::string& kind,
                       const nlohmann::json& detail) {
    tx.sql().exec_params("INSERT INTO device_events (partner_id, org_id, site_id, device_id, kind, detail) "
                         "VALUES ($1, $2, $3, $4, $5, $6::jsonb)",
                         subject.partnerId, subject.orgId, subject.siteId, subject.deviceId, kind,
                         detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

} // namespace breeze::server
