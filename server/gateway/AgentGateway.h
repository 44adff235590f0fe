#pragma once

#include "gateway/AgentSession.h"
#include "gateway/GatewaySettings.h"
#include "net/TlsConnection.h"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace breeze::server {

class AgentSessionHandler;
class EventLoop;

// The WebSocket gateway (wss://host:gateway.port/...): agents at /api/v1/agent/ws, consoles at
// /api/v1/console/ws. A listener thread accepts, a few epoll event loops run TLS, the upgrade and WebSocket
// framing for every connection, and each endpoint's handler does what needs the database on its own threads.
// Thread-safe: send() and disconnect() may be called from anywhere.
class AgentGateway {
public:
    AgentGateway(GatewaySettings settings, net::SslContextPtr tls);
    ~AgentGateway();

    // Serves WebSocket upgrades to `path` with `handler` (before start()).
    void addEndpoint(const std::string& path, AgentSessionHandler& handler);
    AgentSessionHandler* handlerFor(const std::string& path) const;

    // Binds address:port (0 picks a free port) and starts the threads.
    void start(const std::string& address, unsigned short port);
    // Closes every agent with "going away" and stops the threads.
    void stop();
    unsigned short port() const { return m_port; }

    // Queues a text message for the connection registered under `key` (a device id); false when there is
    // none.
    bool send(const std::string& key, std::string text);
    // Sends to one specific connection (a reply): dropped if that connection has gone.
    void reply(const AgentSession& session, std::string text);
    void disconnect(const std::string& deviceId, std::uint16_t code, const std::string& reason);
    // Closes one specific connection (a replaced one), whatever the registry now says about its device.
    void closeSession(const AgentSession& session, std::uint16_t code, const std::string& reason);
    bool connected(const std::string& deviceId) const;
    std::optional<AgentSession> session(const std::string& deviceId) const;
    std::size_t connectionCount() const { return m_connections.load(); }
    std::size_t sessionCount() const;

    // For the event loops.
    const GatewaySettings& settings() const { return m_settings; }
    SSL_CTX* tlsContext() const { return m_tls.get(); }
    std::uint64_t nextConnectionNumber() { return ++m_connectionNumbers; }
    // Records the session as the device's current one; returns the session it replaces, if any.
    std::optional<AgentSession> registerSession(const AgentSession& session);
    void unregisterSession(const AgentSession& session);
    std::atomic<std::size_t>& connectionCounter() { return m_connections; }

private:
    void acceptLoop();

    GatewaySettings m_settings;
    net::SslContextPtr m_tls;
    std::map<std::string, AgentSessionHandler*> m_endpoints;
    std::vector<std::unique_ptr<EventLoop>> m_loops;
    int m_listener = -1;
    int m_stopPipe[2] = {-1, -1};
    unsigned short m_port = 0;
    std::thread m_acceptor;
    std::atomic<std::uint64_t> m_connectionNumbers{0};
    std::atomic<std::size_t> m_connections{0};
    std::size_t m_nextLoop = 0;
    mutable std::mutex m_registryMutex;
    std::unordered_map<std::string, AgentSession> m_registry; // device id -> current session
};

} // namespace breeze::server
