#include "Device.h"

namespace breeze::console {

Device Device::fromJson(const QJsonObject& json) {
    Device device;
    device.id = json.value("id").toString();
    device.orgId = json.value("org_id").toString();
    device.siteId = json.value("site_id").toString();
    device.hostname = json.value("hostname").toString();
    device.identity = json.value("identity").toString();
    device.status = json.value("status").toString();
    device.approval = json.value("approval").toString();
    device.os = json.value("os").toString();
    device.platform = json.value("platform").toString();
    device.agentVersion = json.value("agent_version").toString();
    device.lastAddress = json.value("last_address").toString();
    device.lastSeen = QDateTime::fromString(json.value("last_seen_at").toString(), Qt::ISODateWithMs);
    device.lastUser = json.value("last_user").toString();
    device.cpuPercent = json.value("cpu_percent").toDouble(-1);
    device.memoryPercent = json.value("memory_percent").toDouble(-1);
    device.revoked = !json.value("revoked_at").isNull() && json.contains("revoked_at");
    return device;
}

} // namespace breeze::console
