#include "gateway/FrontDoor.h"

#include "gateway/ConnectionRate.h"
#include "gateway/EventLoop.h"
#include "http/ClientAddress.h"
#include "ops/JsonLogger.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace breeze::server {

FrontDoor::FrontDoor(const GatewaySettings& settings, net::SslContextPtr tls)
    : m_settings(settings), m_tls(std::move(tls)), m_workers(settings.httpWorkers, settings.httpMaxQueued) {
    for (std::size_t i = 0; i < std::max<std::size_t>(1, m_settings.eventLoops); ++i)
        m_loops.push_back(std::make_unique<EventLoop>(i, *this));
    if (::pipe2(m_stopPipe, O_CLOEXEC) != 0)
        throw std::runtime_error("front door: cannot create a pipe");
}

FrontDoor::~FrontDoor() {
    stop();
    for (int fd : m_listeners)
        ::close(fd);
    ::close(m_stopPipe[0]);
    ::close(m_stopPipe[1]);
}

unsigned short FrontDoor::listen(const std::string& address, unsigned short port) {
    sockaddr_in6 bindAddress{};
    bindAddress.sin6_family = AF_INET6;
    bindAddress.sin6_port = htons(port);
    const std::string& host = address;
    if (host == "0.0.0.0" || host == "::" || host.empty()) {
        bindAddress.sin6_addr = in6addr_any;
    } else if (inet_pton(AF_INET6, host.c_str(), &bindAddress.sin6_addr) != 1) {
        in_addr v4{};
        if (inet_pton(AF_INET, host.c_str(), &v4) != 1)
            throw std::runtime_error("cannot listen on " + address + " (an IP address is needed)");
        // IPv4-mapped: one dual-stack socket serves both families.
        std::string mapped = "::ffff:" + host;
        inet_pton(AF_INET6, mapped.c_str(), &bindAddress.sin6_addr);
    }
    const int listener = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    const int off = 0;
    const int on = 1;
    setsockopt(listener, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (::bind(listener, reinterpret_cast<sockaddr*>(&bindAddress), sizeof bindAddress) != 0 ||
        ::listen(listener, 4096) != 0) {
        const std::string error = std::strerror(errno);
        ::close(listener);
        throw std::runtime_error("cannot listen on port " + std::to_string(port) + ": " + error);
    }
    socklen_t length = sizeof bindAddress;
    getsockname(listener, reinterpret_cast<sockaddr*>(&bindAddress), &length);
    m_listeners.push_back(listener);
    return ntohs(bindAddress.sin6_port);
}

void FrontDoor::start() {
    for (auto& loop : m_loops)
        loop->start();
    m_acceptor = std::thread([this] { acceptLoop(); });
}

void FrontDoor::stop(std::chrono::seconds grace) {
    if (!m_acceptor.joinable())
        return;
    [[maybe_unused]] const auto written = ::write(m_stopPipe[1], "x", 1);
    m_acceptor.join();
    // Nothing new comes in; REST requests under way may finish and their answers go out.
    const auto deadline = std::chrono::steady_clock::now() + grace;
    m_workers.waitIdle(deadline);
    while (std::chrono::steady_clock::now() < deadline) {
        std::size_t busy = 0;
        for (auto& loop : m_loops)
            busy += loop->httpInFlight();
        if (busy == 0)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    m_workers.stop();
    for (auto& loop : m_loops)
        loop->stop();
}

void FrontDoor::setTlsContext(net::SslContextPtr tls) {
    std::lock_guard lock(m_tlsMutex);
    m_tls = std::move(tls);
}

net::SslContextPtr FrontDoor::tlsContext() const {
    std::lock_guard lock(m_tlsMutex);
    return m_tls;
}

bool FrontDoor::uncapped(const std::string& address) const {
    const auto& proxies = m_settings.uncappedAddresses;
    return std::find(proxies.begin(), proxies.end(), address) != proxies.end();
}

bool FrontDoor::admitAddress(const std::string& address) {
    if (uncapped(address))
        return true;
    std::lock_guard lock(m_addressMutex);
    auto& count = m_perAddress[addressBucket(address)];
    if (count >= m_settings.maxConnectionsPerAddress)
        return false;
    ++count;
    return true;
}

void FrontDoor::releaseAddress(const std::string& address) {
    if (uncapped(address))
        return;
    std::lock_guard lock(m_addressMutex);
    const auto it = m_perAddress.find(addressBucket(address));
    if (it == m_perAddress.end())
        return;
    if (--it->second == 0)
        m_perAddress.erase(it);
}

void FrontDoor::connectionEnded(const std::string& address, bool countedForAddress) {
    if (countedForAddress)
        releaseAddress(address);
    --m_connections;
}

void FrontDoor::acceptLoop() {
    ConnectionRate rate(m_settings.newConnectionsPerSecondPerAddress,
                        m_settings.newConnectionBurstPerAddress);
    std::vector<pollfd> fds;
    for (int listener : m_listeners)
        fds.push_back({listener, POLLIN, 0});
    fds.push_back({m_stopPipe[0], POLLIN, 0});
    for (;;) {
        if (::poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR)
            break;
        if (fds.back().revents)
            return;
        for (std::size_t i = 0; i + 1 < fds.size(); ++i) {
            if (!fds[i].revents)
                continue;
            for (;;) {
                const int fd = ::accept4(fds[i].fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
                if (fd < 0) {
                    if (errno == EMFILE || errno == ENFILE) {
                        logger().error("front door out of file descriptors",
                                       {{"connections", m_connections.load()}});
                        ::poll(nullptr, 0, 100);
                    }
                    break;
                }
                std::string address = net::peerAddressOf(fd);
                if (m_connections.load() >= m_settings.maxConnections ||
                    (!uncapped(address) && !rate.allow(addressBucket(address))) || !admitAddress(address)) {
                    ++m_refusedConnections;
                    ::close(fd);
                    continue;
                }
                ++m_connections;
                EventLoop& loop = *m_loops[m_nextLoop++ % m_loops.size()];
                loop.post([fd, address = std::move(address)](EventLoop& l) { l.adopt(fd, address); });
            }
        }
    }
}

void FrontDoor::addEndpoint(const std::string& path, AgentSessionHandler& handler) {
    m_endpoints[path] = &handler;
}

AgentSessionHandler* FrontDoor::handlerFor(const std::string& path) const {
    const auto it = m_endpoints.find(path);
    return it == m_endpoints.end() ? nullptr : it->second;
}

std::optional<AgentSession> FrontDoor::registerSession(const AgentSession& session) {
    std::lock_guard lock(m_registryMutex);
    auto [it, inserted] = m_registry.try_emplace(session.key, session);
    if (inserted)
        return std::nullopt;
    AgentSession previous = it->second;
    it->second = session;
    return previous;
}

void FrontDoor::unregisterSession(const AgentSession& session) {
    std::lock_guard lock(m_registryMutex);
    const auto it = m_registry.find(session.key);
    if (it != m_registry.end() && it->second.connection == session.connection)
        m_registry.erase(it);
}

std::size_t FrontDoor::sessionCount() const {
    std::lock_guard lock(m_registryMutex);
    return m_registry.size();
}

std::optional<AgentSession> FrontDoor::session(const std::string& deviceId) const {
    std::lock_guard lock(m_registryMutex);
    const auto it = m_registry.find(deviceId);
    return it == m_registry.end() ? std::nullopt : std::optional<AgentSession>(it->second);
}

bool FrontDoor::connected(const std::string& deviceId) const {
    std::lock_guard lock(m_registryMutex);
    return m_registry.contains(deviceId);
}

bool FrontDoor::send(const std::string& deviceId, std::string text) {
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

void FrontDoor::reply(const AgentSession& session, std::string text) {
    const auto number = session.connection;
    m_loops[session.loop]->post(
        [number, text = std::move(text)](EventLoop& loop) { loop.sendOn(number, text); });
}

void FrontDoor::sendStream(const AgentSession& session, std::string frame, net::WebSocketChannel::Lane lane) {
    const auto number = session.connection;
    m_loops[session.loop]->post(
        [number, frame = std::move(frame), lane](EventLoop& loop) { loop.streamOn(number, frame, lane); });
}

void FrontDoor::closeDrained(const AgentSession& session, std::uint16_t code, const std::string& reason) {
    const auto number = session.connection;
    m_loops[session.loop]->post(
        [number, code, reason](EventLoop& loop) { loop.closeDrained(number, code, reason); });
}

void FrontDoor::disconnect(const std::string& deviceId, std::uint16_t code, const std::string& reason) {
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

void FrontDoor::closeSession(const AgentSession& session, std::uint16_t code, const std::string& reason) {
    const auto number = session.connection;
    m_loops[session.loop]->post(
        [number, code, reason](EventLoop& loop) { loop.close(number, code, reason); });
}

} // namespace breeze::server
