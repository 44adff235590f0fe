#pragma once

#include "gateway/AgentSession.h"
#include "gateway/GatewaySettings.h"
#include "gateway/WorkerPool.h"
#include "net/TlsConnection.h"
#include "net/WebSocketChannel.h"

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
class HttpRequestHandler;

// The server's one front door (https://host:server.port/): REST, agents at /api/v1/agent/ws and consoles at
// /api/v1/console/ws, all on the same TLS port (and on an optional separate agent port). A listener thread
// accepts and applies the per-address cap; a few epoll event loops run TLS, read and parse every request
// with deadlines, write every answer, and carry the WebSocket sessions; REST handlers run on a bounded
// worker pool and each WebSocket endpoint's handler on threads of its own. An idle or slow connection
// therefore costs memory, never a thread. Thread-safe: send(), disconnect() and setTlsContext() may be
// called from anywhere.
class FrontDoor {
public:
    FrontDoor(const GatewaySettings& settings, net::SslContextPtr tls);
    ~FrontDoor();

    // Serves WebSocket upgrades to `path` with `handler` (before start()).
    void addEndpoint(const std::string& path, AgentSessionHandler& handler);
    AgentSessionHandler* handlerFor(const std::string& path) const;
    bool isEndpoint(const std::string& path) const { return handlerFor(path) != nullptr; }
    // Serves every other request with `handler` (before start()); without one, plain requests get 404.
    void setHttpHandler(HttpRequestHandler& handler) { m_http = &handler; }
    HttpRequestHandler* httpHandler() const { return m_http; }

    // Binds address:port (0 picks a free port) and returns the port; call before start(), once per port.
    unsigned short listen(const std::string& address, unsigned short port);
    void start();
    // Stops accepting, gives REST requests under way up to `grace` to finish, then closes every connection
    // ("going away") and stops the threads.
    void stop(std::chrono::seconds grace = std::chrono::seconds(0));

    // New connections use this certificate from now on; those already open keep theirs.
    void setTlsContext(net::SslContextPtr tls);

    // Queues a text message for the connection registered under `key` (a device id); false when there is
    // none.
    bool send(const std::string& key, std::string text);
    // Sends to one specific connection (a reply): dropped if that connection has gone.
    void reply(const AgentSession& session, std::string text);
    // A stream frame to one connection, in its lane (the session relay keeps these within credit).
    void sendStream(const AgentSession& session, std::string frame, net::WebSocketChannel::Lane lane);
    // Closes one connection once what is queued for it is written.
    void closeDrained(const AgentSession& session, std::uint16_t code, const std::string& reason);
    void disconnect(const std::string& deviceId, std::uint16_t code, const std::string& reason);
    // Closes one specific connection (a replaced one), whatever the registry now says about its device.
    void closeSession(const AgentSession& session, std::uint16_t code, const std::string& reason);
    bool connected(const std::string& deviceId) const;
    std::optional<AgentSession> session(const std::string& deviceId) const;
    std::size_t connectionCount() const { return m_connections.load(); }
    std::size_t sessionCount() const;
    std::size_t refusedConnections() const { return m_refusedConnections.load(); }
    std::size_t httpPending() const { return m_workers.pending(); }

    // For the event loops.
    const GatewaySettings& settings() const { return m_settings; }
    net::SslContextPtr tlsContext() const;
    WorkerPool& workers() { return m_workers; }
    std::uint64_t nextConnectionNumber() { return ++m_connectionNumbers; }
    // Records the session as the device's current one; returns the session it replaces, if any.
    std::optional<AgentSession> registerSession(const AgentSession& session);
    void unregisterSession(const AgentSession& session);
    // Called once for every connection that ends (with whether it still counted against its address).
    void connectionEnded(const std::string& address, bool countedForAddress);
    // An authenticated WebSocket session no longer counts against its address.
    void releaseAddress(const std::string& address);

private:
    void acceptLoop();
    bool admitAddress(const std::string& address);
    // Trusted reverse proxies: everyone behind one arrives from its address, so no per-address limit applies.
    bool uncapped(const std::string& address) const;

    GatewaySettings m_settings;
    mutable std::mutex m_tlsMutex;
    net::SslContextPtr m_tls;
    std::map<std::string, AgentSessionHandler*> m_endpoints;
    HttpRequestHandler* m_http = nullptr;
    WorkerPool m_workers;
    std::vector<std::unique_ptr<EventLoop>> m_loops;
    std::vector<int> m_listeners;
    int m_stopPipe[2] = {-1, -1};
    std::thread m_acceptor;
    std::atomic<std::uint64_t> m_connectionNumbers{0};
    std::atomic<std::size_t> m_connections{0};
    std::atomic<std::size_t> m_refusedConnections{0};
    std::size_t m_nextLoop = 0;
    std::mutex m_addressMutex;
    std::unordered_map<std::string, std::size_t> m_perAddress;
    mutable std::mutex m_registryMutex;
    std::unordered_map<std::string, AgentSession> m_registry; // device id -> current session
};

} // namespace breeze::server
