#include "Device.h"

#include "TimeText.h"

#include <QJsonArray>
#include <algorithm>

namespace breeze::console {

namespace {
// {"mount", "used_percent", "available_bytes", "total_bytes"}; `otherwise` when absent.
Device::Disk diskOf(const QJsonObject& disk, const Device::Disk& otherwise) {
    if (disk.isEmpty())
        return otherwise;
    return {disk.value("mount").toString(), disk.value("used_percent").toDouble(-1),
            static_cast<qint64>(disk.value("available_bytes").toDouble()),
            static_cast<qint64>(disk.value("total_bytes").toDouble())};
}
} // namespace

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
    device.bootedAt = TimeText::parse(json.value("booted_at").toString());
    for (const auto& address : json.value("addresses").toArray())
        device.addresses.push_back(address.toString());
    device.fullestDisk = diskOf(json.value("fullest_filesystem").toObject(), {});
    const QJsonObject patches = json.value("patches").toObject();
    device.patchesScanned = patches.value("scanned_at").isString();
    device.patchesMissing = patches.value("missing").toInt();
    device.patchesFailed = patches.value("failed").toInt();
    device.rebootRequired = json.value("reboot_required").toBool();
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

qint64 Device::uptimeSeconds(const QDateTime& now) const {
    if (!online() || !bootedAt.isValid())
        return -1;
    return std::max<qint64>(0, bootedAt.secsTo(now));
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
        const auto uptime = static_cast<qint64>(summary.value("uptime_seconds").toDouble(0));
        if (uptime > 0)
            bootedAt = seen.addSecs(-uptime);
    }
    fullestDisk = diskOf(summary.value("fullest_filesystem").toObject(), fullestDisk);
}

} // namespace breeze::console
