#include "DeviceSummary.h"

namespace breeze::console {

DeviceSummary DeviceSummary::fromJson(const QJsonObject& json) {
    const auto time = [&](const char* key) {
        return QDateTime::fromString(json.value(key).toString(), Qt::ISODateWithMs);
    };
    return {json.value("id").toString(),
            json.value("hostname").toString(),
            json.value("identity").toString(),
            json.value("status").toString(),
            json.value("os").toString(),
            json.value("platform").toString(),
            json.value("arch").toString(),
            json.value("last_address").toString(),
            json.value("agent_version").toString(),
            time("last_seen_at"),
            time("enrolled_at"),
            json.value("filesystems").toArray()};
}

} // namespace breeze::console
