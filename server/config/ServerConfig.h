#pragma once

#include "units/Units.h"

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace breeze::server {

// Everything breeze-server reads at start-up. The file is `key = value` lines; every key can be overridden by
// an environment variable named BREEZE_ + the key in upper case with dots as underscores
// (database.url -> BREEZE_DATABASE_URL). Unknown keys are an error, so a typo never silently falls back.
struct ServerConfig {
    std::string listenAddress = "0.0.0.0";
    int port = 8443;
    std::vector<std::string> publicNames{"localhost"};
    std::vector<std::string> publicAddresses{"127.0.0.1", "::1"};
    std::string stateDir = "/var/lib/breeze-server";
    std::string tlsCertFile; // empty: a CA and certificate are generated under stateDir/tls
    std::string tlsKeyFile;
    int tlsCertificateDays = 825;      // lifetime of a generated server certificate
    int tlsRenewBeforeDays = 30;       // renewed this long before it expires, without a restart
    int tlsRenewalCheckSeconds = 3600; // how often the certificate is looked at (also for a brought one)

    std::string databaseUrl;
    int databasePoolSize = 16;
    bool databaseAutoMigrate = false;
    bool databaseAllowSuperuser = false;

    std::size_t httpMaxBodyBytes = 4 * kMiB;
    std::vector<std::string> httpTrustedProxies; // reverse proxies whose X-Forwarded-For is believed
    int httpMaxThreads = 16;                     // the REST worker pool (http.workers)
    int httpMaxQueued = 256;                     // requests waiting for a worker before 503
    int httpIdleTimeoutSeconds = 15;
    int httpHandshakeTimeoutSeconds = 10;
    int httpHeaderTimeoutSeconds = 10;
    int httpBodyTimeoutSeconds = 30;
    int httpWriteTimeoutSeconds = 30;
    int httpMaxConnectionsPerAddress = 256;
    int httpNewConnectionsPerSecondPerAddress = 100;
    int httpNewConnectionBurstPerAddress = 400;

    int accessTokenTtlSeconds = 900;
    int refreshTokenTtlSeconds = 30 * 24 * 3600;
    int throttleWindowSeconds = 900;
    int throttleAccountFailures = 5;       // one account from one address
    int throttleAddressFailures = 30;      // one address, any account
    int throttleAccountTotalFailures = 20; // one account from every address: a spread-out attack
    int passwordMinLength = 12;

    // WebSockets share the front door's port; gatewayPort >= 0 opens a separate one for agents too.
    int gatewayPort = -1;
    int gatewayEventLoops = 2;
    int gatewayWorkers = 4;
    int gatewayMaxConnections = 100'000;
    std::size_t gatewayMaxMessageBytes = 4 * kMiB;
    std::size_t gatewayMaxQueuedBytes = 8 * kMiB;
    int gatewayMessageWindow = 64; // messages one session may have unanswered (announced to agents)
    double gatewayMessagesPerSecond = 200;
    double gatewayMessageBurst = 400;
    int gatewayKeepaliveSeconds = 30; // ping an idle agent this often; drop it after three silent periods

    int agentHeartbeatSeconds = 60;
    int agentInventorySeconds = 900;
    int agentCredentialRotationDays = 30; // agents get a new credential this often (0: only when asked)
    int agentOfflineAfterSeconds = 0;     // 0: three missed heartbeats plus 30 s
    int metricsRetentionDays = 30;
    int metricsRollupRetentionDays = 365;
    int commandDefaultExpirySeconds = 7 * 86400;
    int patchComplianceSnapshotSeconds = 3600; // how often today's compliance snapshot is refreshed

    int offlineAfterSeconds() const {
        return agentOfflineAfterSeconds > 0 ? agentOfflineAfterSeconds : 3 * agentHeartbeatSeconds + 30;
    }

    // Agent packages offered at /downloads/ (the install command fetches them from here).
    std::string downloadsDir = "/var/lib/breeze-server/downloads";
    // Live sessions. Consoles reach a device's sessions through the node that holds its agent, at this URL
    // (empty: https://<first public name>:<port>).
    std::string sessionsNodeUrl;
    int sessionsKeepDetachedSeconds = 600; // a session whose console left waits this long for it to return
    int sessionsIdleTimeoutSeconds = 0;    // a terminal without input or output for this long ends (0: never)
    bool sessionsRecord = true;            // terminal sessions recorded in asciicast v2
    // Desktop sessions: "never", "on_request" (the technician asks when opening one) or "always".
    std::string sessionsRecordDesktop = "on_request";
    int sessionsRecordingRetentionDays = 90;
    long long sessionsRecordingMaxMb = 10'240; // all recordings together; the oldest go first
    std::string nodeUrl() const {
        if (!sessionsNodeUrl.empty())
            return sessionsNodeUrl;
        return "https://" + (publicNames.empty() ? std::string("localhost") : publicNames.front()) + ":" +
               std::to_string(port);
    }

    // Alerts: the engine's clock runs this far ahead of the system's (tests of hold times and escalation).
    int alertsClockOffsetSeconds = 0;
    // Notifications: senders, back-off between attempts, when a notice is given up (in the open), the bound
    // on one delivery, and where receivers may be (see alerts/DestinationPolicy.h).
    int notificationsWorkers = 2;
    int notificationsRetryMinSeconds = 5;
    int notificationsRetryMaxSeconds = 900;
    int notificationsGiveUpAfterHours = 168;
    int notificationsTimeoutSeconds = 10;
    bool notificationsAllowLoopback = false;
    bool notificationsAllowPrivate = true;
    std::string notificationsCaFile; // trusted besides the system's store

    std::string logLevel = "info";
    int shutdownGraceSeconds = 10;

    // Throws std::runtime_error naming the file, line and key on any problem.
    static ServerConfig load(const std::string& path, const std::map<std::string, std::string>& environment);
    static std::map<std::string, std::string> processEnvironment();
    static std::vector<std::string> knownKeys();
};

} // namespace breeze::server
