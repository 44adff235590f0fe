#include "config/ServerConfig.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <functional>
#include <stdexcept>

extern char** environ;

namespace breeze::server {

namespace {
std::string trim(const std::string& text) {
    const auto begin = text.find_first_not_of(" \t\r");
    if (begin == std::string::npos)
        return "";
    const auto end = text.find_last_not_of(" \t\r");
    return text.substr(begin, end - begin + 1);
}

int toInt(const std::string& key, const std::string& value, int min, int max) {
    int out = 0;
    const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
    if (ec != std::errc() || ptr != value.data() + value.size() || out < min || out > max)
        throw std::runtime_error(key + " must be a whole number from " + std::to_string(min) + " to " +
                                 std::to_string(max) + ", not \"" + value + "\"");
    return out;
}

bool toBool(const std::string& key, const std::string& value) {
    if (value == "true" || value == "yes" || value == "on" || value == "1")
        return true;
    if (value == "false" || value == "no" || value == "off" || value == "0")
        return false;
    throw std::runtime_error(key + " must be true or false, not \"" + value + "\"");
}

std::vector<std::string> toList(const std::string& value) {
    std::vector<std::string> out;
    std::string item;
    for (char c : value + ",") {
        if (c == ',') {
            if (!trim(item).empty())
                out.push_back(trim(item));
            item.clear();
        } else {
            item.push_back(c);
        }
    }
    return out;
}

using Setter = std::function<void(ServerConfig&, const std::string& key, const std::string& value)>;

const std::map<std::string, Setter>& setters() {
    static const std::map<std::string, Setter> table = {
        {"server.listen", [](auto& c, auto&, auto& v) { c.listenAddress = v; }},
        {"server.port", [](auto& c, auto& k, auto& v) { c.port = toInt(k, v, 0, 65535); }},
        {"server.public_names", [](auto& c, auto&, auto& v) { c.publicNames = toList(v); }},
        {"server.public_addresses", [](auto& c, auto&, auto& v) { c.publicAddresses = toList(v); }},
        {"server.state_dir", [](auto& c, auto&, auto& v) { c.stateDir = v; }},
        {"tls.cert_file", [](auto& c, auto&, auto& v) { c.tlsCertFile = v; }},
        {"tls.key_file", [](auto& c, auto&, auto& v) { c.tlsKeyFile = v; }},
        {"tls.certificate_days",
         [](auto& c, auto& k, auto& v) { c.tlsCertificateDays = toInt(k, v, 1, 3650); }},
        {"tls.renew_before_days",
         [](auto& c, auto& k, auto& v) { c.tlsRenewBeforeDays = toInt(k, v, 0, 3650); }},
        {"tls.renewal_check_seconds",
         [](auto& c, auto& k, auto& v) { c.tlsRenewalCheckSeconds = toInt(k, v, 1, 86400); }},
        {"database.url", [](auto& c, auto&, auto& v) { c.databaseUrl = v; }},
        {"database.pool_size", [](auto& c, auto& k, auto& v) { c.databasePoolSize = toInt(k, v, 1, 500); }},
        {"database.auto_migrate", [](auto& c, auto& k, auto& v) { c.databaseAutoMigrate = toBool(k, v); }},
        {"database.allow_superuser",
         [](auto& c, auto& k, auto& v) { c.databaseAllowSuperuser = toBool(k, v); }},
        {"http.max_body_bytes",
         [](auto& c, auto& k, auto& v) {
             c.httpMaxBodyBytes = static_cast<std::size_t>(toInt(k, v, 1024, 1 << 30));
         }},
        {"http.trusted_proxies", [](auto& c, auto&, auto& v) { c.httpTrustedProxies = toList(v); }},
        {"http.workers", [](auto& c, auto& k, auto& v) { c.httpMaxThreads = toInt(k, v, 1, 4096); }},
        // The name from when REST had a thread per connection; now it sizes the worker pool too.
        {"http.max_threads", [](auto& c, auto& k, auto& v) { c.httpMaxThreads = toInt(k, v, 1, 4096); }},
        {"http.handshake_timeout_seconds",
         [](auto& c, auto& k, auto& v) { c.httpHandshakeTimeoutSeconds = toInt(k, v, 1, 3600); }},
        {"http.header_timeout_seconds",
         [](auto& c, auto& k, auto& v) { c.httpHeaderTimeoutSeconds = toInt(k, v, 1, 3600); }},
        {"http.body_timeout_seconds",
         [](auto& c, auto& k, auto& v) { c.httpBodyTimeoutSeconds = toInt(k, v, 1, 3600); }},
        {"http.write_timeout_seconds",
         [](auto& c, auto& k, auto& v) { c.httpWriteTimeoutSeconds = toInt(k, v, 1, 3600); }},
        {"http.new_connections_per_second_per_address",
         [](auto& c, auto& k, auto& v) { c.httpNewConnectionsPerSecondPerAddress = toInt(k, v, 1, 1'000'000); }},
        {"http.new_connection_burst_per_address",
         [](auto& c, auto& k, auto& v) { c.httpNewConnectionBurstPerAddress = toInt(k, v, 1, 1'000'000); }},
        {"http.max_connections_per_address",
         [](auto& c, auto& k, auto& v) { c.httpMaxConnectionsPerAddress = toInt(k, v, 1, 1'000'000); }},
        {"http.max_queued", [](auto& c, auto& k, auto& v) { c.httpMaxQueued = toInt(k, v, 1, 65536); }},
        {"http.idle_timeout_seconds",
         [](auto& c, auto& k, auto& v) { c.httpIdleTimeoutSeconds = toInt(k, v, 1, 3600); }},
        {"auth.access_token_ttl_seconds",
         [](auto& c, auto& k, auto& v) { c.accessTokenTtlSeconds = toInt(k, v, 10, 24 * 3600); }},
        {"auth.refresh_token_ttl_seconds",
         [](auto& c, auto& k, auto& v) { c.refreshTokenTtlSeconds = toInt(k, v, 60, 365 * 24 * 3600); }},
        {"auth.throttle_window_seconds",
         [](auto& c, auto& k, auto& v) { c.throttleWindowSeconds = toInt(k, v, 1, 24 * 3600); }},
        {"auth.throttle_account_failures",
         [](auto& c, auto& k, auto& v) { c.throttleAccountFailures = toInt(k, v, 1, 1000); }},
        {"auth.throttle_address_failures",
         [](auto& c, auto& k, auto& v) { c.throttleAddressFailures = toInt(k, v, 1, 100000); }},
        {"auth.throttle_account_total_failures",
         [](auto& c, auto& k, auto& v) { c.throttleAccountTotalFailures = toInt(k, v, 1, 100000); }},
        {"auth.password_min_length",
         [](auto& c, auto& k, auto& v) { c.passwordMinLength = toInt(k, v, 8, 128); }},
        {"gateway.port",
         [](auto& c, auto& k, auto& v) { c.gatewayPort = v.empty() ? -1 : toInt(k, v, 0, 65535); }},
        {"gateway.event_loops", [](auto& c, auto& k, auto& v) { c.gatewayEventLoops = toInt(k, v, 1, 64); }},
        {"gateway.workers", [](auto& c, auto& k, auto& v) { c.gatewayWorkers = toInt(k, v, 1, 256); }},
        {"gateway.max_connections",
         [](auto& c, auto& k, auto& v) { c.gatewayMaxConnections = toInt(k, v, 1, 1'000'000); }},
        {"gateway.max_message_bytes",
         [](auto& c, auto& k, auto& v) {
             c.gatewayMaxMessageBytes = static_cast<std::size_t>(toInt(k, v, 65536, 64 << 20));
         }},
        {"gateway.max_queued_bytes",
         [](auto& c, auto& k, auto& v) {
             c.gatewayMaxQueuedBytes = static_cast<std::size_t>(toInt(k, v, 65536, 1 << 30));
         }},
        {"gateway.message_window",
         [](auto& c, auto& k, auto& v) { c.gatewayMessageWindow = toInt(k, v, 1, 4096); }},
        {"gateway.messages_per_second",
         [](auto& c, auto& k, auto& v) { c.gatewayMessagesPerSecond = toInt(k, v, 1, 100000); }},
        {"gateway.message_burst",
         [](auto& c, auto& k, auto& v) { c.gatewayMessageBurst = toInt(k, v, 1, 1000000); }},
        {"gateway.keepalive_seconds",
         [](auto& c, auto& k, auto& v) { c.gatewayKeepaliveSeconds = toInt(k, v, 1, 3600); }},
        {"agents.heartbeat_seconds",
         [](auto& c, auto& k, auto& v) { c.agentHeartbeatSeconds = toInt(k, v, 1, 3600); }},
        {"agents.credential_rotation_days",
         [](auto& c, auto& k, auto& v) { c.agentCredentialRotationDays = toInt(k, v, 0, 3650); }},
        {"agents.inventory_seconds",
         [](auto& c, auto& k, auto& v) { c.agentInventorySeconds = toInt(k, v, 10, 7 * 86400); }},
        {"agents.offline_after_seconds",
         [](auto& c, auto& k, auto& v) { c.agentOfflineAfterSeconds = toInt(k, v, 0, 86400); }},
        {"patches.compliance_snapshot_seconds",
         [](auto& c, auto& k, auto& v) { c.patchComplianceSnapshotSeconds = toInt(k, v, 1, 86400); }},
        {"agents.command_expiry_seconds",
         [](auto& c, auto& k, auto& v) { c.commandDefaultExpirySeconds = toInt(k, v, 60, 365 * 86400); }},
        {"metrics.retention_days",
         [](auto& c, auto& k, auto& v) { c.metricsRetentionDays = toInt(k, v, 1, 3650); }},
        {"metrics.rollup_retention_days",
         [](auto& c, auto& k, auto& v) { c.metricsRollupRetentionDays = toInt(k, v, 1, 3650); }},
        {"downloads.dir", [](auto& c, auto&, auto& v) { c.downloadsDir = v; }},
        {"sessions.node_url",
         [](auto& c, auto& k, auto& v) {
             if (!v.empty() && !v.starts_with("https://"))
                 throw std::runtime_error(k + " must be an https:// URL (or empty)");
             c.sessionsNodeUrl = v;
         }},
        {"sessions.keep_detached_seconds",
         [](auto& c, auto& k, auto& v) { c.sessionsKeepDetachedSeconds = toInt(k, v, 10, 86400); }},
        {"sessions.record",
         [](auto& c, auto& k, auto& v) {
             if (v != "true" && v != "false")
                 throw std::runtime_error(k + " must be true or false");
             c.sessionsRecord = v == "true";
         }},
        {"sessions.record_desktop",
         [](auto& c, auto& k, auto& v) {
             if (v != "never" && v != "on_request" && v != "always")
                 throw std::runtime_error(k + " must be never, on_request or always");
             c.sessionsRecordDesktop = v;
         }},
        {"sessions.recording_retention_days",
         [](auto& c, auto& k, auto& v) { c.sessionsRecordingRetentionDays = toInt(k, v, 1, 3650); }},
        {"sessions.recording_max_mb",
         [](auto& c, auto& k, auto& v) { c.sessionsRecordingMaxMb = toInt(k, v, 1, 100'000'000); }},
        {"sessions.idle_timeout_seconds",
         [](auto& c, auto& k, auto& v) { c.sessionsIdleTimeoutSeconds = toInt(k, v, 0, 7 * 86400); }},
        {"alerts.clock_offset_seconds",
         [](auto& c, auto& k, auto& v) { c.alertsClockOffsetSeconds = toInt(k, v, 0, 365 * 86400); }},
        {"notifications.workers", [](auto& c, auto& k, auto& v) { c.notificationsWorkers = toInt(k, v, 1, 64); }},
        {"notifications.retry_min_seconds",
         [](auto& c, auto& k, auto& v) { c.notificationsRetryMinSeconds = toInt(k, v, 1, 3600); }},
        {"notifications.retry_max_seconds",
         [](auto& c, auto& k, auto& v) { c.notificationsRetryMaxSeconds = toInt(k, v, 1, 86400); }},
        {"notifications.give_up_after_hours",
         [](auto& c, auto& k, auto& v) { c.notificationsGiveUpAfterHours = toInt(k, v, 1, 24 * 365); }},
        {"notifications.timeout_seconds",
         [](auto& c, auto& k, auto& v) { c.notificationsTimeoutSeconds = toInt(k, v, 1, 120); }},
        {"notifications.allow_loopback",
         [](auto& c, auto& k, auto& v) { c.notificationsAllowLoopback = toBool(k, v); }},
        {"notifications.allow_private",
         [](auto& c, auto& k, auto& v) { c.notificationsAllowPrivate = toBool(k, v); }},
        {"notifications.ca_file", [](auto& c, auto&, auto& v) { c.notificationsCaFile = v; }},
        {"log.level",
         [](auto& c, auto& k, auto& v) {
             if (v != "debug" && v != "info" && v != "warning" && v != "error")
                 throw std::runtime_error(k + " must be debug, info, warning or error");
             c.logLevel = v;
         }},
        {"shutdown.grace_seconds",
         [](auto& c, auto& k, auto& v) { c.shutdownGraceSeconds = toInt(k, v, 0, 600); }},
    };
    return table;
}

std::string environmentName(const std::string& key) {
    std::string name = "BREEZE_";
    for (char c : key)
        name.push_back(c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    return name;
}
} // namespace

std::vector<std::string> ServerConfig::knownKeys() {
    std::vector<std::string> keys;
    for (const auto& [key, setter] : setters())
        keys.push_back(key);
    return keys;
}

std::map<std::string, std::string> ServerConfig::processEnvironment() {
    std::map<std::string, std::string> out;
    for (char** entry = environ; entry && *entry; ++entry) {
        const std::string text = *entry;
        const auto eq = text.find('=');
        if (eq != std::string::npos && text.starts_with("BREEZE_"))
            out[text.substr(0, eq)] = text.substr(eq + 1);
    }
    return out;
}

ServerConfig ServerConfig::load(const std::string& path,
                                const std::map<std::string, std::string>& environment) {
    ServerConfig config;
    if (!path.empty()) {
        std::ifstream in(path);
        if (!in)
            throw std::runtime_error("cannot read config file " + path);
        std::string line;
        int number = 0;
        while (std::getline(in, line)) {
            ++number;
            const std::string text = trim(line);
            if (text.empty() || text[0] == '#')
                continue;
            const auto eq = text.find('=');
            const std::string where = path + ":" + std::to_string(number) + ": ";
            if (eq == std::string::npos)
                throw std::runtime_error(where + "expected key = value");
            const std::string key = trim(text.substr(0, eq));
            const auto it = setters().find(key);
            if (it == setters().end())
                throw std::runtime_error(where + "unknown key \"" + key + "\"");
            try {
                it->second(config, key, trim(text.substr(eq + 1)));
            } catch (const std::runtime_error& error) {
                throw std::runtime_error(where + error.what());
            }
        }
    }
    for (const auto& [key, setter] : setters()) {
        const auto it = environment.find(environmentName(key));
        if (it != environment.end())
            setter(config, key + " (from " + it->first + ")", it->second);
    }
    if (config.databaseUrl.empty())
        throw std::runtime_error("database.url is not set (config file or BREEZE_DATABASE_URL)");
    if (config.tlsCertFile.empty() != config.tlsKeyFile.empty())
        throw std::runtime_error("tls.cert_file and tls.key_file must be set together");
    return config;
}

} // namespace breeze::server
