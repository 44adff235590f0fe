// bench-agents: a swarm of simulated agents against a real server on a private PostgreSQL. Each speaks the
// real protocol over real TLS from its own address in 127.0.0.0/8: hello, its inventory once (os, hardware,
// filesystems, interfaces, --software packages, --services services), heartbeats every --heartbeat seconds
// with the usage of --filesystems filesystems and the counters of --interfaces interfaces, and answers to the
// ping commands a driver sends through the REST API throughout the hold, each result carrying --output-bytes
// of output. Usage: bench-agents [--count N] [--duration S] [--heartbeat S] [--commands-per-s N]
// [--filesystems N] [--interfaces N] [--software N] [--services N] [--output-bytes N] [--postgres fast].
// Prints one JSON object as its last line.
#include "AgentSwarm.h"
#include "BenchArguments.h"
#include "BenchFigures.h"
#include "TestPostgres.h"
#include "TestServer.h"

#include <QCoreApplication>
#include <atomic>
#include <cmath>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

using namespace breeze;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    const int count = test::intArgument(argc, argv, "--count", 1000);
    const int duration = test::intArgument(argc, argv, "--duration", 30);
    const int heartbeatSeconds = test::intArgument(argc, argv, "--heartbeat", 10);
    const int commandsPerSecond = test::intArgument(argc, argv, "--commands-per-s", 20);
    const int connectors = test::intArgument(argc, argv, "--connectors", 8);
    test::AgentSwarm::Options options;
    options.count = count;
    options.heartbeatSeconds = heartbeatSeconds;
    options.connectors = connectors;
    options.filesystems = test::intArgument(argc, argv, "--filesystems", 30);
    options.interfaces = test::intArgument(argc, argv, "--interfaces", 30);
    options.softwarePackages = test::intArgument(argc, argv, "--software", 300);
    options.services = test::intArgument(argc, argv, "--services", 60);
    options.inventoryOnConnect = options.softwarePackages > 0 || options.services > 0;
    const int outputBytes = test::intArgument(argc, argv, "--output-bytes", 2048);
    options.responder = [outputBytes](const protocol::CommandRequest& request,
                                      const std::function<std::string()>& next) {
        // A result with output, as a real command's (ps, a service's status) would carry.
        protocol::CommandUpdate update{
            request.commandId,
            protocol::kCommandCompleted,
            0,
            {{"pong", true}, {"text", std::string(static_cast<std::size_t>(outputBytes), 'x')}},
            {}};
        return std::vector<std::string>{protocol::encodeEnvelope(update.encode(next()))};
    };

    test::AgentSwarm::raiseFileLimit(count); // before the server starts: it inherits the limit
    test::TestPostgres postgres(test::durabilityArgument(argc, argv));
    test::TestServer server(postgres, "bench_agents",
                            {{"agents.heartbeat_seconds", std::to_string(heartbeatSeconds)},
                             {"database.pool_size", "24"},
                             {"gateway.workers", "4"},
                             {"log.level", "warning"}});
    const auto admin = server.bootstrap("bench@agents.test", "Swarm MSP", false);
    auto api = server.signIn(admin.email, admin.password, admin.totpSecret);
    const std::string org = api->post("/api/v1/orgs", {{"name", "Swarm"}}).body["id"];
    const std::string site = api->post("/api/v1/sites", {{"org_id", org}, {"name", "Swarm site"}}).body["id"];
    const std::string partner = admin.partnerId;

    const long rssBefore = test::rssKib(server.pid());
    test::AgentSwarm swarm(postgres, "bench_agents", server, partner, org, site, options);
    const double connectSeconds = swarm.connect();
    const auto& deviceIds = swarm.deviceIds();
    auto& counters = swarm.counters();
    // Let the hellos and inventories land and the first heartbeats go round before measuring the hold.
    const long inventoryDue = options.inventoryOnConnect ? 6L * swarm.connected() : 0L;
    const auto settleStart = Clock::now();
    while (counters.inventoryAcks.load() + counters.refused.load() < inventoryDue &&
           Clock::now() - settleStart < std::chrono::minutes(20))
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const double inventorySeconds = std::chrono::duration<double>(Clock::now() - settleStart).count();
    std::this_thread::sleep_for(std::chrono::seconds(std::min(heartbeatSeconds, 10)));
    const long rssConnected = test::rssKib(server.pid());

    const long acksBefore = counters.acks;
    const auto holdStart = Clock::now();
    const std::string holdStartedAt = postgres.superuserSql("bench_agents", "SELECT now()").toStdString();
    std::atomic<bool> holding{true};
    std::atomic<long> commandsCreated{0};
    std::atomic<long> commandFailures{0};
    std::atomic<long> commandsSkipped{0}; // the chosen agent was not connected: nothing sent
    std::thread driver([&] {
        auto client = server.client();
        client->setBearer(server.lastLogin()["access_token"]);
        std::mt19937 random(7);
        auto nextAt = Clock::now();
        while (holding) {
            nextAt += std::chrono::microseconds(1'000'000 / std::max(1, commandsPerSecond));
            std::this_thread::sleep_until(nextAt);
            const auto index = static_cast<std::size_t>(random() % static_cast<unsigned>(count));
            if (!swarm.isConnected(index)) {
                ++commandsSkipped;
                continue;
            }
            const auto response =
                client->post("/api/v1/devices/" + deviceIds[index] + "/commands", {{"type", "ping"}});
            if (response.status == 201)
                ++commandsCreated;
            else
                ++commandFailures;
        }
    });
    std::this_thread::sleep_for(std::chrono::seconds(duration));
    holding = false;
    driver.join();
    const double holdSeconds = std::chrono::duration<double>(Clock::now() - holdStart).count();
    const long acksDuringHold = counters.acks - acksBefore;
    // Memory once the fleet is idle again (the inventory burst long over): what holding the agents costs.
    const long rssIdle = test::rssKib(server.pid());
    std::this_thread::sleep_for(std::chrono::seconds(5)); // the last commands finish
    // Every command sent counts: one that never finished counts as infinitely slow (and so is in p99 when
    // more than one in a hundred are).
    const auto stats =
        postgres
            .superuserSql(
                "bench_agents",
                QString::fromStdString(
                    "WITH c AS (SELECT status, coalesce(extract(epoch FROM finished_at - created_at) * "
                    "1000, 'Infinity'::float8) AS ms FROM device_commands WHERE created_at >= '" +
                    holdStartedAt +
                    "') SELECT count(*) FILTER (WHERE status = 'completed'), count(*), "
                    "coalesce(percentile_disc(0.5) WITHIN GROUP (ORDER BY ms), 0), "
                    "coalesce(percentile_disc(0.99) WITHIN GROUP (ORDER BY ms), 0), "
                    "coalesce(max(ms), 0), count(*) FILTER (WHERE status <> 'completed') FROM c"))
            .split('|');
    const long online =
        postgres.superuserSql("bench_agents", "SELECT count(*) FROM devices WHERE status = 'online'")
            .toLong();
    const nlohmann::json result{
        {"postgres", postgres.durabilityLabel()},
        {"agents", count},
        {"connected", swarm.connected()},
        {"online_in_database", online},
        {"connect_per_s", std::round(swarm.connected() / connectSeconds * 10) / 10},
        {"connect_retries", swarm.connectRetries()},
        {"disconnects", counters.disconnects.load()},
        {"hold_seconds", std::round(holdSeconds)},
        {"heartbeat_seconds", heartbeatSeconds},
        {"heartbeats_per_s", std::round(acksDuringHold / holdSeconds * 10) / 10},
        {"filesystems", options.filesystems},
        {"interfaces", options.interfaces},
        {"software_packages", options.softwarePackages},
        {"services", options.services},
        {"output_bytes", outputBytes},
        {"inventory_seconds", std::round(inventorySeconds)},
        {"inventory_sections_stored", counters.inventoryAcks.load()},
        {"refused_messages", counters.refused.load()},
        {"commands", stats[1].toLong()},
        {"commands_completed", stats[0].toLong()},
        {"commands_unfinished", stats[5].toLong()},
        {"command_create_failures", commandFailures.load()},
        {"commands_skipped_disconnected", commandsSkipped.load()},
        {"p50_command_ms", std::round(stats[2].toDouble() * 10) / 10},
        {"p99_command_ms", std::round(stats[3].toDouble() * 10) / 10},
        {"max_command_ms", std::round(stats[4].toDouble() * 10) / 10},
        {"server_rss_kib", rssConnected},
        {"server_rss_kib_idle", rssIdle},
        {"server_rss_kib_per_idle_agent",
         swarm.connected() > 0
             ? std::round(static_cast<double>(rssIdle - rssBefore) / swarm.connected() * 10) / 10
             : 0.0},
        {"server_rss_kib_per_agent",
         swarm.connected() > 0
             ? std::round(static_cast<double>(rssConnected - rssBefore) / swarm.connected() * 10) / 10
             : 0.0},
    };
    std::cout << result.dump() << std::endl;
    return 0;
}
