#include "ops/JsonLogger.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace breeze::server {

namespace {
std::string nowIso() {
    const auto now = std::chrono::system_clock::now();
    const auto seconds = std::chrono::system_clock::to_time_t(now);
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1'000'000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", utc.tm_year + 1900,
                  utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                  static_cast<long long>(micros));
    return buf;
}

const char* levelName(JsonLogger::Level level) {
    switch (level) {
    case JsonLogger::Level::Debug:
        return "debug";
    case JsonLogger::Level::Info:
        return "info";
    case JsonLogger::Level::Warning:
        return "warning";
    case JsonLogger::Level::Error:
        return "error";
    }
    return "info";
}
} // namespace

JsonLogger& JsonLogger::instance() {
    static JsonLogger logger;
    return logger;
}

JsonLogger::Level JsonLogger::parseLevel(std::string_view name) {
    if (name == "debug")
        return Level::Debug;
    if (name == "warning")
        return Level::Warning;
    if (name == "error")
        return Level::Error;
    return Level::Info;
}

void JsonLogger::log(Level level, std::string_view message, const nlohmann::json& fields) {
    if (level < m_level)
        return;
    nlohmann::json line = {{"ts", nowIso()}, {"level", levelName(level)}, {"msg", message}};
    if (fields.is_object()) {
        for (const auto& [key, value] : fields.items())
            line[key] = value;
    }
    const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::lock_guard lock(m_mutex);
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
}

} // namespace breeze::server
