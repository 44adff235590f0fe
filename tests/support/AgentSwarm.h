#pragma once

#include "protocol/AgentMessages.h"

#include <QString>
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace breeze::test {

class TestPostgres;
class TestServer;
class SwarmLoop;

// Many simulated agents against a real server for the benchmarks: each speaks the real protocol over real
// TLS from its own address in 127.0.0.0/8 (hello, heartbeats, answers to commands). Their devices and
// credentials go straight into the database, since enrollment is not what the benchmarks measure.
// It is harness, not a test: it throws std::runtime_error when it cannot set itself up, and the benchmarks
// that drive it print its counters (connected, retries, acks, disconnects) beside their figures.
class AgentSwarm {
public:
    // The messages (encoded envelopes) an agent sends back for one command, in order; `next` gives fresh
    // message ids.
    using Responder = std::function<std::vector<std::string>(const protocol::CommandRequest&,
                                                             const std::function<std::string()>& next)>;

    struct Options {
        int count = 1000;
        int heartbeatSeconds = 10;
        int connectors = 8;
        std::vector<std::string> capabilities;
        Responder responder; // default: ping-style "completed" with {"pong": true}
        // The machine each agent describes. A real server has a few dozen mounts (tmpfs, /run/user/...,
        // snaps) and interfaces (containers' veths, bridges); heartbeats carry usage and counters of each.
        int filesystems = 1;
        int interfaces = 2;
        // Inventory sent once after the hello, as a starting agent does: os, hardware, filesystems,
        // interfaces, and this many installed packages and services.
        bool inventoryOnConnect = false;
        int softwarePackages = 0;
        int services = 0;
    };

    struct Counters {
        std::atomic<long> heartbeatsSent{0};
        std::atomic<long> acks{0};          // stored heartbeats
        std::atomic<long> inventoryAcks{0}; // stored inventory sections
        std::atomic<long> refused{0};       // acknowledged as not stored (should stay 0)
        std::atomic<long> commands{0};
        std::atomic<long> disconnects{0};
    };

    AgentSwarm(TestPostgres& postgres, const QString& database, const TestServer& server,
               const std::string& partner, const std::string& org, const std::string& site, Options options);
    ~AgentSwarm();
    AgentSwarm(const AgentSwarm&) = delete;
    AgentSwarm& operator=(const AgentSwarm&) = delete;

    // Every agent holds a socket, and so does the server for each: call before starting the server, which
    // inherits the limit.
    static void raiseFileLimit(int agents);

    // Connects every agent (retrying refusals); returns how long it took in seconds.
    double connect();

    const std::vector<std::string>& deviceIds() const { return m_deviceIds; }
    bool isConnected(std::size_t index) const { return m_connected[index]; }
    int connected() const { return m_connectedCount; }
    int connectRetries() const { return m_retries; }
    Counters& counters() { return m_counters; }

private:
    const TestServer& m_server;
    Options m_options;
    std::string m_salt;
    std::vector<std::string> m_deviceIds;
    std::unique_ptr<std::atomic<bool>[]> m_connected;
    std::atomic<int> m_connectedCount{0};
    std::atomic<int> m_retries{0};
    Counters m_counters;
    std::vector<std::unique_ptr<SwarmLoop>> m_loops;
};

} // namespace breeze::test
