#include "Device.h"

#include "TimeText.h"

#include <QJsonArray>

namespace breeze::console {

Device Device::fromJson(const QJsonObject& json) {
    Device device;
    device.id = json.value("id").toString();
    device.orgId = json.value("org_id").toString();
    device.siteId = json.value("site_id").toString();
    device.groupId = json.value("group_id").toString();
    for (const auto& tag : json.value("tags").toArray())
        device.tags.push_back(tag.toString());
    device.hostname = json.value("hostname").toString();
    device.identity = json.value("identity").toString();
    device.status = json.value("status").toString();
    device.approval = json.value("approval").toString();
    device.os = json.value("os").toString();
    device.platform = json.value("platform").toString();
    device.agentVersion = json.value("agent_version").toString();
    device.lastAddress = json.value("last_address").toString();
    device.lastSeen = TimeText::parse(json.value("last_seen_at").toString());
    device.lastUser = json.value("last_user").toString();
    device.cpuPercent = json.value("cpu_percent").toDouble(-1);
    device.memoryPercent = json.value("memory_percent").toDouble(-1);
    device.revoked = !json.value("revoked_at").isNull() && json.contains("revoked_at");
    const QJsonObject request = json.value("reenrollment").toObject();
    if (!request.isEmpty()) {
        QStringList differs{QString("from %1").arg(request.value("address").toString())};
        for (const char* field : {"hostname", "os", "agent_version", "site_id"}) {
            const QString now = json.value(field).toString();
            const QString asked = request.value(field).toString();
            if (asked != now)
                differs.push_back(QString("%1 %2 -> %3").arg(field, now.isEmpty() ? "-" : now, asked));
        }
        device.takeoverRequest = differs.join("; ");
    }
    return device;
}

void Device::applySummary(const QJsonObject& summary) {
    cpuPercent = summary.value("cpu_percent").toDouble(cpuPercent);
    memoryPercent = summary.value("memory_percent").toDouble(memoryPercent);
    lastUser = summary.value("last_user").toString(lastUser);
    // The server's clock, not the agent's: last seen is when the server heard from it.
    const auto seenAtMs = static_cast<qint64>(summary.value("seen_at_ms").toDouble(0));
    if (seenAtMs > 0) {
        const QDateTime seen = QDateTime::fromMSecsSinceEpoch(seenAtMs, Qt::UTC);
        if (!lastSeen.isValid() || seen > lastSeen)
            lastSeen = seen;
    }
}

} // namespace breeze::console
