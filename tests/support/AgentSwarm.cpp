#include "AgentSwarm.h"

#include "TestPostgres.h"
#include "TestServer.h"
#include "crypto/SecureRandom.h"
#include "net/WebSocketChannel.h"
#include "net/WebSocketConnector.h"

#include <iostream>
#include <mutex>
#include <random>
#include <stdexcept>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>
#include <unordered_map>

namespace breeze::test {

namespace {
using Clock = std::chrono::steady_clock;

std::int64_t epochMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// One simulated agent: the same messages a real agent sends, from a canned machine.
struct SimulatedAgent {
    std::unique_ptr<net::WebSocketChannel> channel;
    Clock::time_point nextHeartbeat;
    long sequence = 0;
};
} // namespace

// An epoll loop driving a share of the swarm.
class SwarmLoop {
public:
    SwarmLoop(AgentSwarm::Counters& counters, const AgentSwarm::Options& options)
        : m_counters(counters), m_heartbeatSeconds(options.heartbeatSeconds), m_responder(options.responder),
          m_options(options) {
        m_epoll = epoll_create1(EPOLL_CLOEXEC);
        m_wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (m_epoll < 0 || m_wake < 0)
            throw std::runtime_error("agent swarm: cannot create its event loop");
        epoll_event event{};
        event.events = EPOLLIN;
        event.data.fd = m_wake;
        epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wake, &event);
        m_thread = std::thread([this] { run(); });
    }
    ~SwarmLoop() {
        m_running = false;
        wake();
        m_thread.join();
        ::close(m_wake);
        ::close(m_epoll);
    }

    void adopt(std::unique_ptr<net::WebSocketChannel> channel) {
        {
            std::lock_guard lock(m_mutex);
            m_incoming.push_back(std::move(channel));
        }
        wake();
    }

private:
    void wake() {
        const std::uint64_t one = 1;
        [[maybe_unused]] auto written = ::write(m_wake, &one, sizeof one);
    }

    std::string heartbeat(SimulatedAgent& agent) {
        protocol::Heartbeat beat;
        beat.sampledAtMs = epochMs();
        beat.cpuPercent = 3.5;
        beat.load1 = 0.2;
        beat.memoryTotalBytes = 8ull << 30;
        beat.memoryUsedBytes = 3ull << 30;
        beat.processCount = 180;
        beat.uptimeSeconds = 86400;
        beat.users = {"alice", "root"};
        beat.filesystems = {{"/", "ext4", 100ull << 30, 40ull << 30, 55ull << 30}};
        for (int i = 1; i < m_options.filesystems; ++i)
            beat.filesystems.push_back(
                {i % 3 == 0 ? "/run/user/" + std::to_string(1000 + i) : "/srv/volume-" + std::to_string(i),
                 i % 3 == 0 ? "tmpfs" : "xfs", (20ull + static_cast<std::uint64_t>(i)) << 30,
                 (5ull + static_cast<std::uint64_t>(i % 7)) << 30,
                 (14ull + static_cast<std::uint64_t>(i) - static_cast<std::uint64_t>(i % 7)) << 30});
        beat.interfaces = {{"lo", 1000, 1000},
                           {"eth0", 5'000'000 + static_cast<std::uint64_t>(agent.sequence), 2'000'000}};
        for (int i = 2; i < m_options.interfaces; ++i)
            beat.interfaces.push_back(
                {"veth" + std::to_string(100000 + i),
                 static_cast<std::uint64_t>(i) * 1'000'000 + static_cast<std::uint64_t>(agent.sequence),
                 static_cast<std::uint64_t>(i) * 500'000});
        return protocol::encodeEnvelope(beat.encode("h" + std::to_string(++agent.sequence)));
    }

    // What a starting agent reports once: the sections a real one sends, at the sizes of the options.
    std::vector<std::string> inventory(SimulatedAgent& agent) {
        const auto section = [&](const std::string& name, nlohmann::json data) {
            protocol::InventoryReport report{name, std::move(data), epochMs()};
            return protocol::encodeEnvelope(report.encode("i" + std::to_string(++agent.sequence)));
        };
        nlohmann::json filesystems = nlohmann::json::array();
        for (int i = 0; i < m_options.filesystems; ++i)
            filesystems.push_back({{"mount", i == 0 ? "/" : "/srv/volume-" + std::to_string(i)},
                                   {"device", "/dev/sda" + std::to_string(i + 1)},
                                   {"fs_type", "ext4"},
                                   {"total_bytes", 100ull << 30}});
        nlohmann::json interfaces = nlohmann::json::array();
        for (int i = 0; i < m_options.interfaces; ++i)
            interfaces.push_back({{"name", i == 0 ? "lo" : "veth" + std::to_string(100000 + i)},
                                  {"mac", "02:42:ac:11:00:" + std::to_string(10 + i % 89)},
                                  {"mtu", 1500},
                                  {"up", true},
                                  {"addresses", {"10.0." + std::to_string(i % 250) + ".2/24"}}});
        nlohmann::json software = nlohmann::json::array();
        for (int i = 0; i < m_options.softwarePackages; ++i)
            software.push_back(
                {{"name", "package-" + std::to_string(i)},
                 {"version", "1." + std::to_string(i % 40) + "-" + std::to_string(i % 7) + "+deb12u1"},
                 {"arch", "amd64"},
                 {"source", "dpkg"},
                 {"size_bytes", 100'000 + i}});
        nlohmann::json services = nlohmann::json::array();
        for (int i = 0; i < m_options.services; ++i)
            services.push_back({{"name", "service-" + std::to_string(i) + ".service"},
                                {"description", "A system service"},
                                {"state", "active"},
                                {"sub_state", "running"},
                                {"enabled", "enabled"}});
        return {section("os", {{"name", "Debian GNU/Linux"},
                               {"version", "12 (bookworm)"},
                               {"kernel", "6.1.0-28-amd64"},
                               {"arch", "x86_64"},
                               {"hostname", "swarm"},
                               {"boot_time", 1733500000}}),
                section("hardware", {{"cpu_model", "Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz"},
                                     {"cpu_cores", 4},
                                     {"cpu_threads", 8},
                                     {"memory_bytes", 8ull << 30},
                                     {"vendor", "QEMU"},
                                     {"model", "Standard PC (Q35 + ICH9, 2009)"},
                                     {"serial", "SN-" + std::to_string(agent.sequence)}}),
                section("filesystems", filesystems),
                section("interfaces", interfaces),
                section("software", software),
                section("services", services)};
    }

    void handle(SimulatedAgent& agent, const std::string& text) {
        const auto decoded = protocol::decodeEnvelope(text);
        if (!decoded)
            return;
        const auto& envelope = *decoded.envelope;
        if (envelope.type == protocol::agent_message::kAck) {
            if (!envelope.fields.value("ok", true))
                ++m_counters.refused;
            else if (envelope.id.starts_with("h"))
                ++m_counters.acks; // a stored heartbeat
            else if (envelope.id.starts_with("i"))
                ++m_counters.inventoryAcks;
        } else if (envelope.type == protocol::agent_message::kCommand) {
            const auto request = protocol::CommandRequest::decode(envelope);
            const auto next = [&agent] { return "c" + std::to_string(++agent.sequence); };
            for (const auto& message : m_responder(request, next))
                agent.channel->sendText(message);
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
                        agent.nextHeartbeat = Clock::now() + std::chrono::milliseconds(
                                                                 random() % (m_heartbeatSeconds * 1000LL));
                        if (m_options.inventoryOnConnect)
                            for (const auto& message : inventory(agent))
                                agent.channel->sendText(message);
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

    AgentSwarm::Counters& m_counters;
    int m_heartbeatSeconds;
    AgentSwarm::Responder m_responder;
    const AgentSwarm::Options& m_options;
    int m_epoll = -1;
    int m_wake = -1;
    std::atomic<bool> m_running{true};
    std::mutex m_mutex;
    std::vector<std::unique_ptr<net::WebSocketChannel>> m_incoming;
    std::unordered_map<int, SimulatedAgent> m_agents;
    std::thread m_thread;
};

AgentSwarm::AgentSwarm(TestPostgres& postgres, const QString& database, const TestServer& server,
                       const std::string& partner, const std::string& org, const std::string& site,
                       Options options)
    : m_server(server), m_options(std::move(options)), m_salt(crypto::SecureRandom::token(12)),
      m_deviceIds(static_cast<std::size_t>(m_options.count)),
      m_connected(new std::atomic<bool>[static_cast<std::size_t>(m_options.count)]) {
    if (!m_options.responder)
        m_options.responder = [](const protocol::CommandRequest& request,
                                 const std::function<std::string()>& next) {
            protocol::CommandUpdate update{
                request.commandId, protocol::kCommandCompleted, 0, {{"pong", true}}, {}};
            return std::vector<std::string>{protocol::encodeEnvelope(update.encode(next()))};
        };
    for (int i = 0; i < m_options.count; ++i)
        m_connected[static_cast<std::size_t>(i)] = false;
    postgres.superuserSql(
        database,
        QString::fromStdString(
            "INSERT INTO devices (partner_id, org_id, site_id, identity, hostname, credential_hash) SELECT "
            "'" +
            partner + "', '" + org + "', '" + site +
            "', 'swarm-' || i, 'swarm-' || i, encode(sha256(convert_to('dev_swarm_' || i || '_" + m_salt +
            "', 'UTF8')), 'hex') FROM generate_series(0, " + std::to_string(m_options.count - 1) + ") AS i"));
    for (const auto& line : postgres
                                .superuserSql(database, "SELECT substr(identity, 7), id FROM devices WHERE "
                                                        "identity LIKE 'swarm-%'")
                                .split('\n', Qt::SkipEmptyParts)) {
        const auto parts = line.split('|');
        bool numbered = false;
        const int index = parts.size() == 2 ? parts[0].toInt(&numbered) : -1;
        if (!numbered || index < 0 || index >= m_options.count)
            throw std::runtime_error("agent swarm: unexpected device row: " + line.toStdString());
        m_deviceIds[static_cast<std::size_t>(index)] = parts[1].toStdString();
    }
    // A bench over fewer devices than it claims would print flattering figures: refuse to start instead.
    for (std::size_t i = 0; i < m_deviceIds.size(); ++i)
        if (m_deviceIds[i].empty())
            throw std::runtime_error("agent swarm: device swarm-" + std::to_string(i) + " was not seeded");
    for (int i = 0; i < 2; ++i)
        m_loops.push_back(std::make_unique<SwarmLoop>(m_counters, m_options));
}

AgentSwarm::~AgentSwarm() = default;

void AgentSwarm::raiseFileLimit(int agents) {
    rlimit files{};
    getrlimit(RLIMIT_NOFILE, &files);
    // Both ends of every agent's socket may live on this machine; root may lift the hard limit too.
    const auto wanted = static_cast<rlim_t>(agents) * 2 + 2000;
    if (files.rlim_max < wanted) {
        rlimit raised{wanted, wanted};
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
            files = raised;
    }
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
    if (files.rlim_cur < static_cast<rlim_t>(agents) + 1000)
        std::cerr << "warning: only " << files.rlim_cur << " file descriptors for " << agents << " agents\n";
}

double AgentSwarm::connect() {
    auto tls = net::makeClientSslContext(m_server.caFile());
    std::atomic<int> next{0};
    const auto started = Clock::now();
    std::vector<std::thread> connectors;
    connectors.reserve(static_cast<std::size_t>(m_options.connectors));
    for (int c = 0; c < m_options.connectors; ++c) {
        connectors.emplace_back([&] {
            for (int i = next++; i < m_options.count; i = next++) {
                net::WebSocketTarget target;
                target.host = "127.0.0.1";
                target.port = static_cast<unsigned short>(m_server.gatewayPort());
                target.path = "/api/v1/agent/ws";
                // 250 agents per source address: 127.1.x.y
                target.sourceAddress =
                    "127.1." + std::to_string(i / 250 / 250) + "." + std::to_string(i / 250 % 250 + 1);
                target.headers["Authorization"] = "Bearer dev_swarm_" + std::to_string(i) + "_" + m_salt;
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
                        hello.capabilities = m_options.capabilities;
                        channel->sendText(protocol::encodeEnvelope(hello.encode()));
                        channel->flush();
                        m_loops[static_cast<std::size_t>(i) % m_loops.size()]->adopt(std::move(channel));
                        ++m_connectedCount;
                        m_connected[static_cast<std::size_t>(i)] = true;
                        break;
                    } catch (const std::exception&) {
                        ++m_retries;
                        std::this_thread::sleep_for(std::chrono::milliseconds(100 * (attempt + 1)));
                    }
                }
            }
        });
    }
    for (auto& thread : connectors)
        thread.join();
    return std::chrono::duration<double>(Clock::now() - started).count();
}

} // namespace breeze::test
