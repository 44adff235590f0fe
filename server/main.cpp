// breeze-server: the REST API and gateways. Subcommands: serve, migrate, bootstrap, audit, version.
#include "agents/AgentMaintenance.h"
#include "agents/AgentService.h"
#include "agents/DevicePresence.h"
#include "alerts/AlertEngine.h"
#include "alerts/NotificationDispatcher.h"
#include "app/Bootstrapper.h"
#include "app/CertificateRenewer.h"
#include "app/RouteTable.h"
#include "app/ServerContext.h"
#include "app/StateDirectory.h"
#include "audit/AuditLog.h"
#include "console/ConsoleService.h"
#include "db/Migrator.h"
#include "db/ScopedTransaction.h"
#include "events/EventHub.h"
#include "gateway/FrontDoor.h"
#include "http/RequestDispatcher.h"
#include "net/TlsConnection.h"
#include "ops/JsonLogger.h"
#include "patches/PatchScheduler.h"
#include "protocol/WebSocketCodec.h"
#include "pushes/FilePushDeliverer.h"
#include "schedules/ScriptScheduler.h"
#include "sessions/SessionService.h"

#include <Poco/Net/SSLManager.h>
#include <csignal>
#include <fstream>
#include <iostream>
#include <pqxx/nontransaction>
#include <pthread.h>
#include <sys/resource.h>
#include <thread>

using namespace breeze::server;

namespace {
constexpr const char* kUsage = R"(usage: breeze-server COMMAND [options]

  serve      --config FILE [--port-file FILE]     run the server
  migrate    up|down N|status --config FILE       manage the database schema
  bootstrap  --config FILE --email E [--password-stdin] [--partner NAME] [--new-partner]
                                                  create the first partner-admin (prints JSON credentials)
  audit      verify --config FILE                 check the audit log's hash chain
  version

Every config key can be set by environment: database.url -> BREEZE_DATABASE_URL.
)";

struct Options {
    std::vector<std::string> positional;
    std::map<std::string, std::string> values;
    std::set<std::string> flags;
};

Options parseOptions(int argc, char** argv, const std::set<std::string>& flagNames) {
    Options options;
    for (int i = 2; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg.starts_with("--")) {
            if (flagNames.contains(arg)) {
                options.flags.insert(arg);
            } else if (i + 1 < argc) {
                options.values[arg] = argv[++i];
            } else {
                throw std::runtime_error(arg + " needs a value");
            }
        } else {
            options.positional.push_back(arg);
        }
    }
    return options;
}

ServerConfig loadConfig(const Options& options) {
    const auto it = options.values.find("--config");
    return ServerConfig::load(it == options.values.end() ? "" : it->second,
                              ServerConfig::processEnvironment());
}

std::unique_ptr<pqxx::connection> connectWithRetry(const std::string& url, int seconds) {
    for (int attempt = 0;; ++attempt) {
        try {
            return std::make_unique<pqxx::connection>(url);
        } catch (const std::exception& error) {
            if (attempt >= seconds)
                throw std::runtime_error(std::string("cannot reach PostgreSQL: ") + error.what());
            logger().warning("waiting for PostgreSQL", {{"attempt", attempt + 1}});
            std::this_thread::sleep_for(std::chrono::seconds(1));
        }
    }
}

// The server must be subject to row-level security: a superuser or BYPASSRLS role would silently disable it.
void refuseRlsBypass(pqxx::connection& connection, const ServerConfig& config) {
    pqxx::nontransaction tx(connection);
    const auto row =
        tx.exec1("SELECT rolsuper OR rolbypassrls AS privileged FROM pg_roles WHERE rolname = current_user");
    if (row["privileged"].as<bool>() && !config.databaseAllowSuperuser)
        throw std::runtime_error(
            "the database role bypasses row-level security (superuser or BYPASSRLS); connect as "
            "the schema owner instead, or set database.allow_superuser = true");
}

int serve(const Options& options) {
    ServerConfig config = loadConfig(options);
    JsonLogger::instance().setLevel(JsonLogger::parseLevel(config.logLevel));
    // Signals are taken by sigwait below, never by whichever thread happens to be running.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    // Every connection is a descriptor: take all the descriptors the system allows (the soft limit is often
    // 1,024, far below what the front door holds).
    rlimit files{};
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        setrlimit(RLIMIT_NOFILE, &files);
    }

    const StateDirectory state = StateDirectory::prepare(config);
    {
        auto connection = connectWithRetry(config.databaseUrl, 30);
        refuseRlsBypass(*connection, config);
        Migrator migrator(*connection, embeddedMigrations());
        if (config.databaseAutoMigrate) {
            const int applied = migrator.up();
            if (applied > 0)
                logger().info("applied migrations", {{"count", applied}});
        } else if (const int pending = migrator.pendingCount(); pending > 0) {
            throw std::runtime_error(std::to_string(pending) +
                                     " migration(s) pending: run `breeze-server migrate up` or set "
                                     "database.auto_migrate = true");
        }
    }
    Poco::Net::initializeSSL();
    ConnectionPool pool(config.databaseUrl, static_cast<std::size_t>(config.databasePoolSize),
                        std::chrono::seconds(5));
    ServerContext context(config, pool, state.tokenSigningKey, state.sealingKey);
    registerAllRoutes(context.router);
    context.metrics.addGauge("breeze_db_connections_in_use", "Database connections currently leased.",
                             [&pool] { return static_cast<double>(pool.inUse()); });
    {
        // Nobody is connected to a server that is only starting; partitions must exist before heartbeats.
        auto lease = pool.acquire();
        ScopedTransaction tx(*lease, SystemAccess{"reset device presence at start-up"});
        if (const auto reset = DevicePresence::resetAll(tx, config.nodeUrl()); reset > 0)
            logger().info("devices marked offline after restart", {{"count", reset}});
        tx.commit();
    }
    AgentMaintenance::ensurePartitions(pool, config.metricsRetentionDays, config.metricsRollupRetentionDays);

    AgentService agents(context, static_cast<std::size_t>(config.gatewayWorkers));
    context.agents = &agents;
    GatewaySettings gatewaySettings;
    gatewaySettings.eventLoops = static_cast<std::size_t>(config.gatewayEventLoops);
    gatewaySettings.maxConnections = static_cast<std::size_t>(config.gatewayMaxConnections);
    gatewaySettings.maxConnectionsPerAddress = static_cast<std::size_t>(config.httpMaxConnectionsPerAddress);
    gatewaySettings.uncappedAddresses = config.httpTrustedProxies;
    gatewaySettings.newConnectionsPerSecondPerAddress = config.httpNewConnectionsPerSecondPerAddress;
    gatewaySettings.newConnectionBurstPerAddress = config.httpNewConnectionBurstPerAddress;
    gatewaySettings.maxMessageBytes = config.gatewayMaxMessageBytes;
    gatewaySettings.maxQueuedBytes = config.gatewayMaxQueuedBytes;
    gatewaySettings.messageWindow = static_cast<std::size_t>(config.gatewayMessageWindow);
    gatewaySettings.messagesPerSecond = config.gatewayMessagesPerSecond;
    gatewaySettings.messageBurst = config.gatewayMessageBurst;
    gatewaySettings.pingInterval = std::chrono::seconds(config.gatewayKeepaliveSeconds);
    gatewaySettings.idleTimeout = std::chrono::seconds(3 * config.gatewayKeepaliveSeconds);
    gatewaySettings.httpWorkers = static_cast<std::size_t>(config.httpMaxThreads);
    gatewaySettings.httpMaxQueued = static_cast<std::size_t>(config.httpMaxQueued);
    gatewaySettings.httpMaxBodyBytes = config.httpMaxBodyBytes;
    gatewaySettings.handshakeTimeout = std::chrono::seconds(config.httpHandshakeTimeoutSeconds);
    gatewaySettings.httpHeaderTimeout = std::chrono::seconds(config.httpHeaderTimeoutSeconds);
    gatewaySettings.httpBodyTimeout = std::chrono::seconds(config.httpBodyTimeoutSeconds);
    gatewaySettings.httpIdleTimeout = std::chrono::seconds(config.httpIdleTimeoutSeconds);
    gatewaySettings.httpWriteTimeout = std::chrono::seconds(config.httpWriteTimeoutSeconds);
    FrontDoor door(gatewaySettings,
                   breeze::net::makeServerSslContext(state.certificateFile, state.privateKeyFile));
    RequestDispatcher dispatcher(context);
    door.setHttpHandler(dispatcher);
    door.addEndpoint("/api/v1/agent/ws", agents);
    EventHub events(config.databaseUrl);
    events.start();
    ConsoleService consoles(context, events);
    consoles.attach(door);
    door.addEndpoint("/api/v1/console/ws", consoles);
    agents.feed().watchHeartbeats(
        [&consoles](const std::vector<AgentDataFeed::Heartbeat>& batch) { consoles.metricsStored(batch); });
    context.metrics.addGauge("breeze_console_sessions", "Connected consoles.",
                             [&consoles] { return static_cast<double>(consoles.sessions()); });
    agents.attach(door);
    SessionService sessions(context, door, events);
    agents.attachStreams(sessions);
    door.addEndpoint("/api/v1/relay/ws", sessions);
    sessions.start();
    context.metrics.addGauge("breeze_session_channels", "Live sessions relayed by this node.",
                             [&sessions] { return static_cast<double>(sessions.relay().channels()); });
    const unsigned short port = door.listen(config.listenAddress, static_cast<unsigned short>(config.port));
    // Port 0 (tests) picked a free one: it is part of the URL consoles reach this node's sessions at.
    if (context.config.port == 0)
        context.config.port = port;
    // A separate agent port is optional (firewalls that keep agents apart); without one agents use the main
    // port.
    const unsigned short agentPort =
        config.gatewayPort >= 0
            ? door.listen(config.listenAddress, static_cast<unsigned short>(config.gatewayPort))
            : port;
    context.gatewayPort = agentPort;
    context.metrics.addGauge("breeze_connections", "Open connections at the front door (all phases).",
                             [&door] { return static_cast<double>(door.connectionCount()); });
    context.metrics.addGauge("breeze_connections_refused_total",
                             "Connections closed at once: over the per-address or total cap.",
                             [&door] { return static_cast<double>(door.refusedConnections()); });
    context.metrics.addGauge("breeze_http_pending", "REST requests queued for or running on a worker.",
                             [&door] { return static_cast<double>(door.httpPending()); });
    context.metrics.addGauge("breeze_agent_sessions", "Authenticated agent sessions.",
                             [&door] { return static_cast<double>(door.sessionCount()); });
    context.metrics.addGauge("breeze_agent_messages_total", "Agent messages received.",
                             [&agents] { return static_cast<double>(agents.messagesHandled()); });
    context.metrics.addGauge("breeze_heartbeats_stored_total", "Heartbeat samples stored.",
                             [&agents] { return static_cast<double>(agents.metrics().stored()); });
    context.metrics.addGauge("breeze_heartbeats_queued", "Heartbeat samples waiting to be stored.",
                             [&agents] { return static_cast<double>(agents.metrics().queued()); });

    MaintenanceSettings maintenanceSettings;
    maintenanceSettings.metricsRetentionDays = config.metricsRetentionDays;
    maintenanceSettings.rollupRetentionDays = config.metricsRollupRetentionDays;
    maintenanceSettings.offlineAfterSeconds = config.offlineAfterSeconds();
    AgentMaintenance maintenance(pool, maintenanceSettings, [&door](const std::vector<std::string>& ids) {
        for (const auto& id : ids)
            door.disconnect(id, breeze::protocol::kCloseGoingAway, "no heartbeat received in time");
    });
    maintenance.start();
    // Scheduled patch deployments are queued within seconds of their time.
    PatchScheduler patches(pool, &agents, std::chrono::seconds(5),
                           std::chrono::seconds(config.patchComplianceSnapshotSeconds));
    patches.start();
    // Scheduled script runs are made within seconds of their time.
    ScriptScheduler scriptSchedules(context, std::chrono::seconds(2));
    scriptSchedules.start();
    // Alerts: conditions evaluated as heartbeats are stored and presence changes, notifications sent from the
    // outbox.
    NotificationDispatcher::Settings dispatchSettings;
    dispatchSettings.workers = config.notificationsWorkers;
    dispatchSettings.retryMin = std::chrono::seconds(config.notificationsRetryMinSeconds);
    dispatchSettings.retryMax = std::chrono::seconds(config.notificationsRetryMaxSeconds);
    dispatchSettings.giveUpAfter = std::chrono::hours(config.notificationsGiveUpAfterHours);
    dispatchSettings.timeout = std::chrono::seconds(config.notificationsTimeoutSeconds);
    dispatchSettings.destinations = {config.notificationsAllowLoopback, config.notificationsAllowPrivate};
    dispatchSettings.caFile = config.notificationsCaFile;
    dispatchSettings.heloName =
        config.publicNames.empty() ? std::string("breeze") : config.publicNames.front();
    NotificationDispatcher notifications(pool, context.sealer, dispatchSettings);
    notifications.start();
    AlertEngine::Settings alertSettings;
    alertSettings.clockOffset = std::chrono::seconds(config.alertsClockOffsetSeconds);
    AlertEngine alerts(pool, alertSettings, [&notifications] { notifications.wake(); });
    alerts.start();
    agents.feed().watchHeartbeats(
        [&alerts](const std::vector<AgentDataFeed::Heartbeat>& batch) { alerts.heartbeatsStored(batch); });
    const int alertSubscription =
        events.subscribe([&alerts](const nlohmann::json& event) { alerts.eventHeard(event); });
    context.metrics.addGauge("breeze_alert_samples_total", "Heartbeats evaluated against alert rules.",
                             [&alerts] { return static_cast<double>(alerts.figures().samples.load()); });
    context.metrics.addGauge("breeze_alert_evaluations_total", "Alert conditions evaluated.",
                             [&alerts] { return static_cast<double>(alerts.figures().evaluations.load()); });
    context.metrics.addGauge("breeze_alerts_fired_total", "Alerts fired (opened or reopened).",
                             [&alerts] { return static_cast<double>(alerts.figures().fired.load()); });
    context.metrics.addGauge("breeze_alerts_resolved_total", "Alerts resolved by their condition clearing.",
                             [&alerts] { return static_cast<double>(alerts.figures().resolved.load()); });
    context.metrics.addGauge("breeze_alert_lag_p99_ms",
                             "99th percentile of the time from a stored heartbeat to its alert committed.",
                             [&alerts] { return alerts.lagP99Millis(); });
    context.metrics.addGauge("breeze_notifications_sent_total", "Notifications delivered.", [&notifications] {
        return static_cast<double>(notifications.figures().sent.load());
    });
    context.metrics.addGauge(
        "breeze_notifications_failed_total", "Notification attempts that failed.",
        [&notifications] { return static_cast<double>(notifications.figures().failed.load()); });
    context.metrics.addGauge(
        "breeze_notifications_given_up_total", "Notifications given up after retrying.",
        [&notifications] { return static_cast<double>(notifications.figures().givenUp.load()); });

    door.start();
    // After the front door: it delivers pushed files through this node's own relay.
    FilePushDeliverer pushes(context, state.caCertificateFile, config.stateDir + "/push-cache");
    pushes.start();
    CertificateRenewer renewer(
        config, state, [&door](breeze::net::SslContextPtr tls) { door.setTlsContext(std::move(tls)); });
    renewer.start();
    if (const auto it = options.values.find("--port-file"); it != options.values.end()) {
        // Line 1: the front door's port; line 2: the port agents are told to use (the same without a separate
        // agent port).
        std::ofstream(it->second + ".tmp") << port << "\n" << agentPort << "\n";
        std::rename((it->second + ".tmp").c_str(), it->second.c_str());
    }
    logger().info("listening", {{"address", config.listenAddress},
                                {"port", port},
                                {"agent_port", agentPort},
                                {"ca_certificate", state.caCertificateFile},
                                {"certificate", state.certificateFile}});
    int received = 0;
    sigwait(&signals, &received);
    logger().info("shutting down", {{"signal", received}, {"grace_seconds", config.shutdownGraceSeconds}});
    renewer.stop();
    events.unsubscribe(alertSubscription);
    alerts.stop();
    notifications.stop();
    scriptSchedules.stop();
    patches.stop();
    door.stop(std::chrono::seconds(config.shutdownGraceSeconds));
    maintenance.stop();
    sessions.stop();
    agents.stop();
    consoles.stop();
    events.stop();
    logger().info("stopped");
    Poco::Net::uninitializeSSL();
    return 0;
}

int migrate(const Options& options) {
    if (options.positional.empty())
        throw std::runtime_error("migrate needs up, down N or status");
    const ServerConfig config = loadConfig(options);
    auto connection = connectWithRetry(config.databaseUrl, 10);
    Migrator migrator(*connection, embeddedMigrations());
    const std::string& action = options.positional[0];
    if (action == "up") {
        std::cout << "applied " << migrator.up() << " migration(s)\n";
    } else if (action == "down") {
        if (options.positional.size() < 2)
            throw std::runtime_error("migrate down needs the number of migrations to revert");
        std::cout << "reverted " << migrator.down(std::stoi(options.positional[1])) << " migration(s)\n";
    } else if (action == "status") {
        for (const auto& m : migrator.status())
            std::cout << (m.version < 1000 ? "0" : "") << (m.version < 100 ? "0" : "")
                      << (m.version < 10 ? "0" : "") << m.version << "  "
                      << (m.applied ? "applied " + m.appliedAt : std::string("pending"))
                      << (m.checksumMatches ? "" : "  (file changed since it was applied)") << "  " << m.name
                      << "\n";
    } else {
        throw std::runtime_error("unknown migrate action " + action);
    }
    return 0;
}

int bootstrap(const Options& options) {
    const ServerConfig config = loadConfig(options);
    const auto email = options.values.find("--email");
    if (email == options.values.end())
        throw std::runtime_error("bootstrap needs --email");
    std::optional<std::string> password;
    if (options.flags.contains("--password-stdin")) {
        std::string line;
        std::getline(std::cin, line);
        password = line;
    }
    const StateDirectory state = StateDirectory::prepare(config);
    ConnectionPool pool(config.databaseUrl, 1, std::chrono::seconds(10));
    ServerContext context(config, pool, state.tokenSigningKey, state.sealingKey);
    const auto partner = options.values.find("--partner");
    Bootstrapper bootstrapper(context);
    std::cout << bootstrapper
                     .run(email->second, password,
                          partner == options.values.end() ? "Default Partner" : partner->second,
                          options.flags.contains("--new-partner"))
                     .dump(2)
              << "\n";
    return 0;
}

int audit(const Options& options) {
    if (options.positional.empty() || options.positional[0] != "verify")
        throw std::runtime_error("audit needs verify");
    const ServerConfig config = loadConfig(options);
    auto connection = connectWithRetry(config.databaseUrl, 10);
    ScopedTransaction tx(*connection, SystemAccess{"verify the audit chain"});
    const auto result = AuditLog::verify(tx);
    if (result.intact) {
        std::cout << "audit log intact: " << result.checked << " entries checked\n";
        return 0;
    }
    std::cout << "audit log TAMPERED: the chain breaks at entry " << *result.firstBadId << " (of "
              << result.checked << ")\n";
    return 3;
}
} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << kUsage;
        return 2;
    }
    const std::string command = argv[1];
    try {
        if (command == "serve")
            return serve(parseOptions(argc, argv, {}));
        if (command == "migrate")
            return migrate(parseOptions(argc, argv, {}));
        if (command == "bootstrap")
            return bootstrap(parseOptions(argc, argv, {"--password-stdin", "--new-partner"}));
        if (command == "audit")
            return audit(parseOptions(argc, argv, {}));
        if (command == "version") {
            std::cout << "breeze-server " << BREEZE_VERSION << "\n";
            return 0;
        }
        if (command == "--help" || command == "help") {
            std::cout << kUsage;
            return 0;
        }
        std::cerr << "unknown command " << command << "\n" << kUsage;
        return 2;
    } catch (const std::exception& error) {
        logger().error("fatal", {{"error", error.what()}});
        std::cerr << "breeze-server: " << error.what() << "\n";
        return 1;
    }
}
