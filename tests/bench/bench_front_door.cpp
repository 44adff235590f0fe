// bench-front-door: the front door under idle and slow-header (slowloris) connections, while a signed-in
// client uses REST, /healthz is polled and simulated agents stay connected. Usage: bench-front-door [--idle
// 10000] [--slow 1000] [--duration 60] [--rest-clients 4] [--agents 200]
//                         [--idle-timeout S] [--postgres fast|durable]
// Idle peers finish their TLS handshake and send nothing; slow peers send a request head one byte a second.
// The server drops them at its deadlines (idle_timeout, header_timeout) as it would drop an attacker's, and
// the benchmark dials them again at once, so the held counts are what the server holds while under that
// churn.
// `--idle-timeout` changes the server's idle deadline (production: 15 s) to show the cost of merely holding.
// Prints one JSON object as its last line; every REST request sent is counted, failures included.
#include "AgentSwarm.h"
#include "BenchArguments.h"
#include "BenchFigures.h"
#include "TestPostgres.h"
#include "TestServer.h"
#include "net/TlsConnection.h"

#include <QCoreApplication>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sys/epoll.h>
#include <thread>
#include <unordered_map>

using namespace breeze;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {
// Holds `idle` and `slow` TLS connections from addresses in 127.3.0.0/16 (200 each, under the server's
// default per-address cap), dialing again whatever the server closes.
class PeerHolder {
public:
    PeerHolder(unsigned short port, const std::string& caFile, int idle, int slow)
        : m_port(port), m_tls(net::makeClientSslContext(caFile)), m_idleTarget(idle) {
        m_epoll = epoll_create1(EPOLL_CLOEXEC);
        for (int i = 0; i < idle + slow; ++i)
            m_toDial.push_back(i);
    }

    ~PeerHolder() {
        stop();
        ::close(m_epoll);
    }

    void start() {
        for (int i = 0; i < 4; ++i)
            m_dialers.emplace_back([this] { dial(); });
        m_holder = std::thread([this] { hold(); });
    }

    void stop() {
        m_stopping = true;
        m_wake.notify_all();
        for (auto& thread : m_dialers)
            if (thread.joinable())
                thread.join();
        if (m_holder.joinable())
            m_holder.join();
    }

    int idleOpen() const { return m_idleOpen; }
    int slowOpen() const { return m_slowOpen; }
    long redials() const { return m_redials; }
    long dialFailures() const { return m_dialFailures; }

private:
    struct Peer {
        int index;
        std::unique_ptr<net::TlsConnection> tls;
    };

    bool isSlow(int index) const { return index >= m_idleTarget; }

    static std::string sourceFor(int index) {
        const int block = index / 200;
        return "127.3." + std::to_string(block / 250) + "." + std::to_string(block % 250 + 1);
    }

    void dial() {
        while (!m_stopping) {
            int index = -1;
            {
                std::unique_lock lock(m_mutex);
                m_wake.wait_for(lock, 100ms, [this] { return m_stopping || !m_toDial.empty(); });
                if (m_stopping)
                    return;
                if (m_toDial.empty())
                    continue;
                index = m_toDial.front();
                m_toDial.pop_front();
            }
            try {
                auto tls =
                    net::TlsConnection::connect("127.0.0.1", m_port, m_tls.get(), 10s, sourceFor(index));
                if (isSlow(index)) {
                    const std::string start = "GET /api/v1/orgs HTTP/1.1\r\nHost: localhost\r\nX-Slow: ";
                    tls->write(start.data(), start.size());
                }
                std::lock_guard lock(m_mutex);
                m_dialed.push_back({index, std::move(tls)});
            } catch (const std::exception&) {
                ++m_dialFailures;
                std::this_thread::sleep_for(50ms);
                std::lock_guard lock(m_mutex);
                m_toDial.push_back(index);
            }
        }
    }

    void hold() {
        std::unordered_map<int, Peer> peers; // by descriptor
        std::vector<epoll_event> events(1024);
        auto nextByte = Clock::now() + 1s;
        char buffer[4096];
        while (!m_stopping) {
            std::vector<Peer> arrived;
            {
                std::lock_guard lock(m_mutex);
                arrived.swap(m_dialed);
            }
            for (auto& peer : arrived) {
                epoll_event event{};
                event.events = EPOLLIN | EPOLLRDHUP;
                event.data.fd = peer.tls->fd();
                epoll_ctl(m_epoll, EPOLL_CTL_ADD, peer.tls->fd(), &event);
                (isSlow(peer.index) ? m_slowOpen : m_idleOpen)++;
                peers.emplace(peer.tls->fd(), std::move(peer));
            }
            const int ready = epoll_wait(m_epoll, events.data(), static_cast<int>(events.size()), 50);
            for (int i = 0; i < ready; ++i) {
                const auto it = peers.find(events[static_cast<std::size_t>(i)].data.fd);
                if (it == peers.end())
                    continue;
                // The server only ever closes these (or answers a slow head it gave up on): read to see.
                net::TlsConnection::Result got{net::TlsConnection::Io::Ok, 0};
                while (got.io == net::TlsConnection::Io::Ok)
                    got = it->second.tls->read(buffer, sizeof buffer);
                if (got.io == net::TlsConnection::Io::WouldBlock)
                    continue;
                drop(peers, it);
            }
            if (Clock::now() >= nextByte) {
                nextByte = Clock::now() + 1s;
                std::vector<int> broken;
                for (auto& [fd, peer] : peers) {
                    if (!isSlow(peer.index))
                        continue;
                    const auto sent = peer.tls->write("a", 1);
                    if (sent.io == net::TlsConnection::Io::Closed ||
                        sent.io == net::TlsConnection::Io::Failed)
                        broken.push_back(fd);
                }
                for (int fd : broken)
                    drop(peers, peers.find(fd));
            }
        }
    }

    void drop(std::unordered_map<int, Peer>& peers, std::unordered_map<int, Peer>::iterator it) {
        epoll_ctl(m_epoll, EPOLL_CTL_DEL, it->first, nullptr);
        (isSlow(it->second.index) ? m_slowOpen : m_idleOpen)--;
        ++m_redials;
        {
            std::lock_guard lock(m_mutex);
            m_toDial.push_back(it->second.index);
        }
        m_wake.notify_one();
        peers.erase(it);
    }

    unsigned short m_port;
    net::SslContextPtr m_tls;
    int m_idleTarget; // peers 0..idle-1 are idle, the rest slow
    int m_epoll = -1;
    std::atomic<bool> m_stopping{false};
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<int> m_toDial;
    std::vector<Peer> m_dialed;
    std::vector<std::thread> m_dialers;
    std::thread m_holder;
    std::atomic<int> m_idleOpen{0};
    std::atomic<int> m_slowOpen{0};
    std::atomic<long> m_redials{0};
    std::atomic<long> m_dialFailures{0};
};
} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    const int idle = test::intArgument(argc, argv, "--idle", 10000);
    const int slow = test::intArgument(argc, argv, "--slow", 1000);
    const int duration = test::intArgument(argc, argv, "--duration", 60);
    const int restClients = test::intArgument(argc, argv, "--rest-clients", 4);
    const int agents = test::intArgument(argc, argv, "--agents", 200);
    const int idleTimeout = test::intArgument(argc, argv, "--idle-timeout", 15);

    test::AgentSwarm::raiseFileLimit(idle + slow + agents + 200); // before the server starts: it inherits it
    test::TestPostgres postgres(test::durabilityArgument(argc, argv));
    test::TestServer server(postgres, "bench_front_door",
                            {{"log.level", "warning"},
                             {"database.pool_size", "24"},
                             {"http.idle_timeout_seconds", std::to_string(idleTimeout)}});
    const auto admin = server.bootstrap("bench@door.test", "Door MSP", false);
    auto api = server.signIn(admin.email, admin.password, admin.totpSecret);
    const std::string token = server.lastLogin()["access_token"];
    const std::string org = api->post("/api/v1/orgs", {{"name", "Door"}}).body["id"];
    const std::string site = api->post("/api/v1/sites", {{"org_id", org}, {"name", "Door site"}}).body["id"];
    for (int i = 0; i < 49; ++i)
        api->post("/api/v1/orgs", {{"name", "Door org " + std::to_string(i)}});
    const long rssStart = test::rssKib(server.pid());

    test::AgentSwarm swarm(postgres, "bench_front_door", server, admin.partnerId, org, site,
                           {agents, 10, 4, {}, {}});
    swarm.connect();
    const long disconnectsBefore = swarm.counters().disconnects;

    PeerHolder holder(static_cast<unsigned short>(server.port()), server.caFile(), idle, slow);
    const auto rampStart = Clock::now();
    holder.start();
    while (holder.idleOpen() + holder.slowOpen() < (idle + slow) * 95 / 100 &&
           Clock::now() - rampStart < 300s)
        std::this_thread::sleep_for(200ms);
    const double rampSeconds = std::chrono::duration<double>(Clock::now() - rampStart).count();

    std::atomic<bool> running{true};
    std::vector<std::vector<double>> latencies(static_cast<std::size_t>(restClients));
    std::atomic<long> restFailed{0};
    std::vector<std::thread> threads;
    threads.reserve(static_cast<std::size_t>(restClients));
    for (int c = 0; c < restClients; ++c)
        threads.emplace_back([&, c] {
            test::timedGets(
                server, token, "/api/v1/orgs?limit=50", [&] { return running.load(); },
                latencies[static_cast<std::size_t>(c)], restFailed);
        });
    std::atomic<long> healthChecks{0};
    std::atomic<long> healthFailed{0};
    threads.emplace_back([&] {
        while (running) {
            ++healthChecks;
            try {
                if (server.client()->get("/healthz").status != 200)
                    ++healthFailed;
            } catch (const std::exception&) {
                ++healthFailed;
            }
            std::this_thread::sleep_for(200ms);
        }
    });
    std::vector<int> idleSamples;
    std::vector<int> slowSamples;
    long rssPeak = 0;
    const long redialsBefore = holder.redials();
    const auto measureStart = Clock::now();
    while (Clock::now() - measureStart < std::chrono::seconds(duration)) {
        std::this_thread::sleep_for(1s);
        idleSamples.push_back(holder.idleOpen());
        slowSamples.push_back(holder.slowOpen());
        rssPeak = std::max(rssPeak, test::rssKib(server.pid()));
    }
    running = false;
    for (auto& thread : threads)
        thread.join();
    const double measured = std::chrono::duration<double>(Clock::now() - measureStart).count();
    const long redials = holder.redials() - redialsBefore;
    holder.stop();

    std::vector<double> all;
    for (const auto& list : latencies)
        all.insert(all.end(), list.begin(), list.end());
    const auto mean = [](const std::vector<int>& values) {
        double total = 0;
        for (int v : values)
            total += v;
        return values.empty() ? 0.0 : std::round(total / static_cast<double>(values.size()));
    };
    const auto minimum = [](const std::vector<int>& values) {
        return values.empty() ? 0 : *std::min_element(values.begin(), values.end());
    };
    const auto maximum = [](const std::vector<int>& values) {
        return values.empty() ? 0 : *std::max_element(values.begin(), values.end());
    };
    const nlohmann::json result{
        {"benchmark", "front-door"},
        {"postgres", postgres.durabilityLabel()},
        {"idle_target", idle},
        {"slow_target", slow},
        {"server_idle_timeout_s", idleTimeout},
        {"ramp_seconds", std::round(rampSeconds * 10) / 10},
        {"idle_held", minimum(idleSamples)},
        {"idle_held_mean", mean(idleSamples)},
        {"idle_held_max", maximum(idleSamples)},
        {"slow_held", minimum(slowSamples)},
        {"slow_held_mean", mean(slowSamples)},
        {"slow_held_max", maximum(slowSamples)},
        {"redials_per_s", std::round(static_cast<double>(redials) / measured * 10) / 10},
        {"dial_failures", holder.dialFailures()},
        {"rest_requests", all.size()},
        {"rest_per_s", std::round(static_cast<double>(all.size()) / measured)},
        {"rest_p50_ms", std::round(test::percentile(all, 0.50) * 10) / 10},
        {"rest_p99_ms", std::round(test::percentile(all, 0.99) * 10) / 10},
        {"rest_failed", restFailed.load()},
        {"healthz_checks", healthChecks.load()},
        {"healthz_failed", healthFailed.load()},
        {"agents", agents},
        {"agents_connected", swarm.connected()},
        {"agent_disconnects", swarm.counters().disconnects - disconnectsBefore},
        {"server_rss_mib", std::round(static_cast<double>(rssPeak) / 1024)},
        {"server_rss_start_mib", std::round(static_cast<double>(rssStart) / 1024)}};
    std::cout << result.dump() << std::endl;
    return 0;
}
