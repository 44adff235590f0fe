#pragma once

#include <mutex>
#include <nlohmann/json.hpp>
#include <string_view>

namespace breeze::server {

// Structured logs: one JSON object per line on stderr (journald and log shippers read them as they are).
// Callers pass fields, never whole requests, so tokens and passwords have no path into the log.
class JsonLogger {
public:
    enum class Level { Debug, Info, Warning, Error };

    static JsonLogger& instance();
    void setLevel(Level level) { m_level = level; }
    static Level parseLevel(std::string_view name);

    void log(Level level, std::string_view message, const nlohmann::json& fields = nlohmann::json::object());
    void debug(std::string_view message, const nlohmann::json& fields = nlohmann::json::object()) {
        log(Level::Debug, message, fields);
    }
    void info(std::string_view message, const nlohmann::json& fields = nlohmann::json::object()) {
        log(Level::Info, message, fields);
    }
    void warning(std::string_view message, const nlohmann::json& fields = nlohmann::json::object()) {
        log(Level::Warning, message, fields);
    }
    void error(std::string_view message, const nlohmann::json& fields = nlohmann::json::object()) {
        log(Level::Error, message, fields);
    }

private:
    std::mutex m_mutex;
    Level m_level = Level::Info;
};

inline JsonLogger& logger() {
    return JsonLogger::instance();
}

} // namespace breeze::server
