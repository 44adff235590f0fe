#include "gateway/AgentGateway.h"

#include "gateway/EventLoop.h"
#include "ops/JsonLogger.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace breeze::server {

AgentGateway::AgentGateway(GatewaySettings settings, net::SslContextPtr tls)
    : m_settings(settings), m_tls(std::move(tls)) {
    for (std::size_t i = 0; i < std::max<std::size_t>(1, m_settings.eventLoops); ++i)
        m_loops.push_back(std::make_unique<EventLoop>(i, *this));
}

AgentGateway::~AgentGateway() {
    stop();
}

void AgentGateway::start(const std::string& address, unsigned short port) {
    sockaddr_in6 bindAddress{};
    bindAddress.sin6_family = AF_INET6;
    bindAddress.sin6_port = htons(port);
    std::string host = address;
    if (host == "0.0.0.0" || host == "::" || host.empty()) {
        bindAddress.sin6_addr = in6addr_any;
    } else if (inet_pton(AF_INET6, host.c_str(), &bindAddress.sin6_addr) != 1) {
        in_addr v4{};
        if (inet_pton(AF_INET, host.c_str(), &v4) != 1)
            throw std::runtime_error("gateway: cannot listen on " + address + " (an IP address is needed)");
        // IPv4-mapped: one dual-stack socket serves both families.
        std::string mapped = "::ffff:" + host;
        inet_pton(AF_INET6, mapped.c_str(), &bindAddress.sin6_addr);
    }
    m_listener = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    const int off = 0;
    const int on = 1;
    setsockopt(m_listener, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
    setsockopt(m_listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (::bind(m_listener, reinterpret_cast<sockaddr*>(&bindAddress), sizeof bindAddress) != 0 ||
        ::listen(m_listener, 4096) != 0) {
        const std::string error = std::strerror(errno);
        ::close(m_listener);
        m_listener = -1;
        throw std::runtime_error("gateway: cannot listen on port " + std::to_string(port) + ": " + error);
    }
    socklen_t length = sizeof bindAddress;
    getsockname(m_listener, reinterpret_cast<sockaddr*>(&bindAddress), &length);
    m_port = ntohs(bindAddress.sin6_port);
    if (::pipe2(m_stopPipe, O_CLOEXEC) != 0)
        throw std::runtime_error("gateway: cannot create a pipe");
    for (auto& loop : m_loops)
        loop->start();
    m_acceptor = std::thread([this] { acceptLoop(); });
}

void AgentGateway::stop() {
    if (!m_acceptor.joinable())
        return;
    [[maybe_unused]] const auto written = ::write(m_stopPipe[1], "x", 1);
    m_acceptor.join();
    for (auto& loop : m_loops)
        loop->stop();
    ::close(m_listener);
    ::close(m_stopPipe[0]);
    ::close(m_stopPipe[1]);
}

void AgentGateway::acceptLoop() {
    pollfd fds[2] = {{m_listener, POLLIN, 0}, {m_stopPipe[0], POLLIN, 0}};
    for (;;) {
        if (::poll(fds, 2, -1) < 0 && errno != EINTR)
            break;
        if (fds[1].revents)
            return;
        for (;;) {
            const int fd = ::accept4(m_listener, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
            if (fd < 0) {
                if (errno == EMFILE || errno == ENFILE) {
                    logger().error("gateway out of file descriptors",
                                   {{"connections", m_connections.load()}});
                    ::poll(nullptr, 0, 100);
                }
                break;
            }
            if (m_connections.load() >= m_settings.maxConnections) {
                ::close(fd);
                continue;
            }
            ++m_connections;
            EventLoop& loop = *m_loops[m_nextLoop++ % m_loops.size()];
            loop.post([fd](EventLoop& l) { l.adopt(fd); });
        }
    }
}

void AgentGateway::addEndpoint(const std::string& path, AgentSessionHandler& handler) {
    m_endpoints[path] = &handler;
}

AgentSessionHandler* AgentGateway::handlerFor(const std::string& path) const {
    const auto it = m_endpoints.find(path);
    return it == m_endpoints.end() ? nullptr : it->second;
}

std::optional<AgentSession> AgentGateway::registerSession(const AgentSession& session) {
    std::lock_guard lock(m_registryMutex);
    auto [it, inserted] = m_registry.try_emplace(session.key, session);
    if (inserted)
        return std::nullopt;
    AgentSession previous = it->second;
    it->second = session;
    return previous;
}

void AgentGateway::unregisterSession(const AgentSession& session) {
    std::lock_guard lock(m_registryMutex);
    const auto it = m_registry.find(session.key);
    if (it != m_registry.end() && it->second.connection == session.connection)
        m_registry.erase(it);
}

std::size_t AgentGateway::sessionCount() const {
    std::lock_guard lock(m_registryMutex);
    return m_registry.size();
}

std::optional<AgentSession> AgentGateway::session(const std::string& deviceId) const {
    std::lock_guard lock(m_registryMutex);
    const auto it = m_registry.find(deviceId);
    return it == m_registry.end() ? std::nullopt : std::optional<AgentSession>(it->second);
}

bool AgentGateway::connected(const std::string& deviceId) const {
    std::lock_guard lock(m_registryMutex);
    return m_registry.contains(deviceId);
}

bool AgentGateway::send(const std::string& deviceId, std::string text) {
    std::optional<AgentSession> session;
    {
        std::lock_guard lock(m_registryMutex);
        const auto it = m_registry.find(deviceId);
        if (it == m_registry.end())
            return false;
        session = it->second;
    }
    reply(*session, std::move(text));
    return true;
}

void AgentGateway::reply(const AgentSession& session, std::string text) {
    const auto number = session.connection;
    m_loops[session.loop]->post(
        [number, text = std::move(text)](EventLoop& loop) { loop.sendOn(number, text); });
}

void AgentGateway::disconnect(const std::string& deviceId, std::uint16_t code, const std::string& reason) {
    std::optional<AgentSession> session;
    {
        std::lock_guard lock(m_registryMutex);
        const auto it = m_registry.find(deviceId);
        if (it == m_registry.end())
            return;
        session = it->second;
    }
    closeSession(*session, code, reason);
}

void AgentGateway::closeSession(const AgentSession& session, std::uint16_t code, const std::string& reason) {
    const auto number = session.connection;
    m_loops[session.loop]->post(
        [number, code, reason](EventLoop& loop) { loop.close(number, code, reason); });
}

} // namespace breeze::server
