#include "DeviceSummary.h"

#include "TimeText.h"

namespace breeze::console {

DeviceSummary DeviceSummary::fromJson(const QJsonObject& json) {
    const auto time = [&](const char* key) { return TimeText::parse(json.value(key).toString()); };
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
