// bench-agents: a swarm of simulated agents against a real server on a private PostgreSQL. Each speaks the
// real protocol over real TLS from its own address in 127.0.0.0/8: hello, heartbeats every --heartbeat
// seconds, and answers to the ping commands a driver sends through the REST API throughout the hold. Usage:
// bench-agents [--count N] [--duration S] [--heartbeat S] [--commands-per-s N] Prints one JSON object as its
// last line.
#include "TestPostgres.h"
#include "TestServer.h"
#include "crypto/SecureRandom.h"
#include "net/WebSocketChannel.h"
#include "net/WebSocketConnector.h"
#include "protocol/AgentMessages.h"

#include <QCoreApplication>
#include <atomic>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>
#include <unordered_map>

using namespace breeze;
using Clock = std::chrono::steady_clock;

namespace {
int argument(int argc, char** argv, const std::string& name, int fallback) {
    for (int i = 1; i + 1 < argc; ++i)
        if (argv[i] == name)
            return std::stoi(argv[i + 1]);
    return fallback;
}

long rssKib(qint64 pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);)
        if (line.starts_with("VmRSS:"))
            return std::stol(line.substr(6));
    return 0;
}

std::int64_t epochMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

struct Counters {
    std::atomic<long> heartbeatsSent{0};
    std::atomic<long> acks{0};
    std::atomic<long> commands{0};
    std::atomic<long> disconnects{0};
};

// One simulated agent: the same messages a real agent sends, from a canned machine.
struct SimulatedAgent {
    std::unique_ptr<net::WebSocketChannel> channel;
    Clock::time_point nextHeartbeat;
    long sequence = 0;
};

// An epoll loop driving a share of the swarm.
class SwarmLoop {
public:
    SwarmLoop(Counters& counters, int heartbeatSeconds)
        : m_counters(counters), m_heartbeatSeconds(heartbeatSeconds) {
        m_epoll = epoll_create1(EPOLL_CLOEXEC);
        m_wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        epoll_event event{};
        event.events = EPOLLIN;
        event.data.fd = m_wake;
        epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wake, &event);
        m_thread = std::thread([this] { run(); });
    }
    ~SwarmLoop() {
        m_running = false;
        const std::uint64_t one = 1;
        [[maybe_unused]] auto written = ::write(m_wake, &one, sizeof one);
        m_thread.join();
        ::close(m_wake);
        ::close(m_epoll);
    }

    void adopt(std::unique_ptr<net::WebSocketChannel> channel) {
        {
            std::lock_guard lock(m_mutex);
            m_incoming.push_back(std::move(channel));
        }
        const std::uint64_t one = 1;
        [[maybe_unused]] auto written = ::write(m_wake, &one, sizeof one);
    }

private:
    std::string heartbeat(SimulatedAgent& agent) {
        protocol::Heartbeat beat;
        beat.sampledAtMs = epochMs();
        beat.cpuPercent = 3.5;
        beat.load1 = 0.2;
        beat.memoryTotalBytes = 8ull << 30;
        beat.memoryUsedBytes = 3ull << 30;
        beat.processCount = 180;
        beat.uptimeSeconds = 86400;
        beat.filesystems = {{"/", "ext4", 100ull << 30, 40ull << 30}};
        beat.interfaces = {{"lo", 1000, 1000},
                           {"eth0", 5'000'000 + static_cast<std::uint64_t>(agent.sequence), 2'000'000}};
        return protocol::encodeEnvelope(beat.encode("h" + std::to_string(++agent.sequence)));
    }

    void handle(SimulatedAgent& agent, const std::string& text) {
        const auto decoded = protocol::decodeEnvelope(text);
        if (!decoded)
            return;
        const auto& envelope = *decoded.envelope;
        if (envelope.type == protocol::agent_message::kAck) {
            if (envelope.id.starts_with("h"))
                ++m_counters.acks; // a stored heartbeat
        } else if (envelope.type == protocol::agent_message::kCommand) {
            const auto request = protocol::CommandRequest::decode(envelope);
            protocol::CommandUpdate update{
                request.commandId, protocol::kCommandCompleted, 0, {{"pong", true}}, {}};
            agent.channel->sendText(
                protocol::encodeEnvelope(update.encode("c" + std::to_string(++agent.sequence))));
            ++m_counters.commands;
        }
    }

    void run() {
        std::vector<epoll_event> events(1024);
        std::mt19937 random(std::random_device{}());
        while (m_running) {
            const int ready = epoll_wait(m_epoll, events.data(), static_cast<int>(events.size()), 100);
            for (int i = 0; i < ready; ++i) {
                const int fd = events[static_cast<std::size_t>(i)].data.fd;
                if (fd == m_wake) {
                    std::uint64_t count = 0;
                    [[maybe_unused]] auto got = ::read(m_wake, &count, sizeof count);
                    std::vector<std::unique_ptr<net::WebSocketChannel>> incoming;
                    {
                        std::lock_guard lock(m_mutex);
                        incoming.swap(m_incoming);
                    }
                    for (auto& channel : incoming) {
                        const int channelFd = channel->fd();
                        SimulatedAgent& agent = m_agents[channelFd];
                        agent.channel = std::move(channel);
                        // Spread first heartbeats over the interval, as jittered agents do.
                        agent.nextHeartbeat =
                            Clock::now() + std::chrono::milliseconds(random() % (m_heartbeatSeconds * 1000));
                        epoll_event event{};
                        event.events = EPOLLIN;
                        event.data.fd = channelFd;
                        epoll_ctl(m_epoll, EPOLL_CTL_ADD, channelFd, &event);
                    }
                    continue;
                }
                auto it = m_agents.find(fd);
                if (it == m_agents.end())
                    continue;
                SimulatedAgent& agent = it->second;
                if (!agent.channel->readAvailable(
                        [&](protocol::WsMessage&& message) { handle(agent, message.payload); })) {
                    ++m_counters.disconnects;
                    epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
                    m_agents.erase(it);
                }
            }
            const auto now = Clock::now();
            for (auto& [fd, agent] : m_agents) {
                if (now >= agent.nextHeartbeat) {
                    agent.channel->sendText(heartbeat(agent));
                    ++m_counters.heartbeatsSent;
                    agent.nextHeartbeat = now + std::chrono::seconds(m_heartbeatSeconds);
                }
                agent.channel->flush();
            }
        }
    }

    Counters& m_counters;
    int m_heartbeatSeconds;
    int m_epoll = -1;
    int m_wake = -1;
    std::atomic<bool> m_running{true};
    std::mutex m_mutex;
    std::vector<std::unique_ptr<net::WebSocketChannel>> m_incoming;
    std::unordered_map<int, SimulatedAgent> m_agents;
    std::thread m_thread;
};
} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    const int count = argument(argc, argv, "--count", 1000);
    const int duration = argument(argc, argv, "--duration", 30);
    const int heartbeatSeconds = argument(argc, argv, "--heartbeat", 10);
    const int commandsPerSecond = argument(argc, argv, "--commands-per-s", 20);
    const int connectors = argument(argc, argv, "--connectors", 8);

    rlimit files{};
    getrlimit(RLIMIT_NOFILE, &files);
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files); // the server (our child) inherits it too
    if (files.rlim_cur < static_cast<rlim_t>(count) + 1000)
        std::cerr << "warning: only " << files.rlim_cur << " file descriptors for " << count << " agents\n";

    test::TestPostgres postgres;
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

    // The devices and their credentials go straight into the database: enrollment is not what this measures.
    const std::string salt = crypto::SecureRandom::token(12);
    postgres.superuserSql(
        "bench_agents",
        QString::fromStdString(
            "INSERT INTO devices (partner_id, org_id, site_id, identity, hostname, credential_hash) SELECT "
            "'" +
            partner + "', '" + org + "', '" + site +
            "', 'swarm-' || i, 'swarm-' || i, encode(sha256(convert_to('dev_swarm_' || i || '_" + salt +
            "', 'UTF8')), 'hex') FROM generate_series(0, " + std::to_string(count - 1) + ") AS i"));
    std::vector<std::string> deviceIds(static_cast<std::size_t>(count));
    for (const auto& line :
         postgres
             .superuserSql("bench_agents",
                           "SELECT substr(identity, 7), id FROM devices WHERE identity LIKE 'swarm-%'")
             .split('\n', Qt::SkipEmptyParts)) {
        const auto parts = line.split('|');
        deviceIds[static_cast<std::size_t>(parts[0].toInt())] = parts[1].toStdString();
    }

    const long rssBefore = rssKib(server.pid());
    Counters counters;
    std::vector<std::unique_ptr<SwarmLoop>> loops;
    for (int i = 0; i < 2; ++i)
        loops.push_back(std::make_unique<SwarmLoop>(counters, heartbeatSeconds));
    auto tls = net::makeClientSslContext(server.caFile());
    std::atomic<int> next{0};
    std::atomic<int> connected{0};
    std::atomic<int> failedConnects{0};
    std::vector<bool> isConnected(static_cast<std::size_t>(count), false);
    std::mutex connectedMutex;
    const auto connectStart = Clock::now();
    std::vector<std::thread> connectorThreads;
    for (int c = 0; c < connectors; ++c) {
        connectorThreads.emplace_back([&] {
            for (int i = next++; i < count; i = next++) {
                net::WebSocketTarget target;
                target.host = "127.0.0.1";
                target.port = static_cast<unsigned short>(server.gatewayPort());
                target.path = "/api/v1/agent/ws";
                // 250 agents per source address: 127.1.x.y
                target.sourceAddress =
                    "127.1." + std::to_string(i / 250 / 250) + "." + std::to_string(i / 250 % 250 + 1);
                target.headers["Authorization"] = "Bearer dev_swarm_" + std::to_string(i) + "_" + salt;
                for (int attempt = 0; attempt < 20; ++attempt) {
                    try {
                        auto upgraded = net::connectWebSocket(target, tls.get(), std::chrono::seconds(30));
                        auto channel = std::make_unique<net::WebSocketChannel>(
                            std::move(upgraded.connection), protocol::WsRole::Client,
                            protocol::kMaxControlFrameBytes, 16 << 20);
                        channel->prime(upgraded.earlyBytes);
                        protocol::AgentHello hello;
                        hello.agentVersion = "bench";
                        hello.hostname = "swarm-" + std::to_string(i);
                        hello.platform = "linux";
                        channel->sendText(protocol::encodeEnvelope(hello.encode()));
                        channel->flush();
                        loops[static_cast<std::size_t>(i) % loops.size()]->adopt(std::move(channel));
                        ++connected;
                        std::lock_guard lock(connectedMutex);
                        isConnected[static_cast<std::size_t>(i)] = true;
                        break;
                    } catch (const std::exception& error) {
                        ++failedConnects;
                        std::this_thread::sleep_for(std::chrono::milliseconds(100 * (attempt + 1)));
                    }
                }
            }
        });
    }
    for (auto& thread : connectorThreads)
        thread.join();
    const double connectSeconds = std::chrono::duration<double>(Clock::now() - connectStart).count();
    // Let the hellos land and the first heartbeats go round before measuring the hold.
    std::this_thread::sleep_for(std::chrono::seconds(std::min(heartbeatSeconds, 10)));
    const long rssConnected = rssKib(server.pid());

    const long acksBefore = counters.acks;
    const auto holdStart = Clock::now();
    const std::string holdStartedAt = postgres.superuserSql("bench_agents", "SELECT now()").toStdString();
    std::atomic<bool> holding{true};
    std::atomic<long> commandsCreated{0};
    std::atomic<long> commandFailures{0};
    std::thread driver([&] {
        auto client = server.client();
        client->setBearer(server.lastLogin()["access_token"]);
        std::mt19937 random(7);
        auto nextAt = Clock::now();
        while (holding) {
            nextAt += std::chrono::microseconds(1'000'000 / std::max(1, commandsPerSecond));
            std::this_thread::sleep_until(nextAt);
            const auto index = static_cast<std::size_t>(random() % static_cast<unsigned>(count));
            if (!isConnected[index])
                continue;
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
    std::this_thread::sleep_for(std::chrono::seconds(2)); // the last commands finish
    const auto stats =
        postgres
            .superuserSql("bench_agents",
                          QString::fromStdString(
                              "SELECT count(*) FILTER (WHERE status = 'completed'), count(*), "
                              "coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM "
                              "finished_at - created_at) * 1000), 0), "
                              "coalesce(percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM "
                              "finished_at - created_at) * 1000), 0), "
                              "coalesce(max(extract(epoch FROM finished_at - created_at) * 1000), 0) "
                              "FROM device_commands WHERE created_at >= '" +
                              holdStartedAt + "'"))
            .split('|');
    const long online =
        postgres.superuserSql("bench_agents", "SELECT count(*) FROM devices WHERE status = 'online'")
            .toLong();
    const nlohmann::json result{
        {"agents", count},
        {"connected", connected.load()},
        {"online_in_database", online},
        {"connect_per_s", std::round(connected / connectSeconds * 10) / 10},
        {"connect_retries", failedConnects.load()},
        {"disconnects", counters.disconnects.load()},
        {"hold_seconds", std::round(holdSeconds)},
        {"heartbeat_seconds", heartbeatSeconds},
        {"heartbeats_per_s", std::round(acksDuringHold / holdSeconds * 10) / 10},
        {"commands", stats[1].toLong()},
        {"commands_completed", stats[0].toLong()},
        {"command_create_failures", commandFailures.load()},
        {"p50_command_ms", std::round(stats[2].toDouble() * 10) / 10},
        {"p99_command_ms", std::round(stats[3].toDouble() * 10) / 10},
        {"max_command_ms", std::round(stats[4].toDouble() * 10) / 10},
        {"server_rss_kib", rssConnected},
        {"server_rss_kib_per_agent",
         connected > 0 ? std::round(static_cast<double>(rssConnected - rssBefore) / connected * 10) / 10
                       : 0.0},
    };
    loops.clear();
    std::cout << result.dump() << std::endl;
    return 0;
}
