#include "gateway/EventLoop.h"

#include "crypto/SecureRandom.h"
#include "gateway/AgentGateway.h"
#include "gateway/AgentSessionHandler.h"
#include "net/WebSocketConnector.h"
#include "ops/JsonLogger.h"
#include "protocol/AgentMessages.h"
#include "protocol/HttpUpgradeRequest.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace breeze::server {

namespace {
using Clock = std::chrono::steady_clock;
constexpr std::uint64_t kWakeTag = 0;

std::string reasonPhrase(int status) {
    switch (status) {
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 426:
        return "Upgrade Required";
    case 431:
        return "Request Header Fields Too Large";
    case 503:
        return "Service Unavailable";
    default:
        return "Error";
    }
}

std::string bearerOf(const std::string& authorization) {
    constexpr std::string_view prefix = "Bearer ";
    if (authorization.size() <= prefix.size() || authorization.compare(0, prefix.size(), prefix) != 0)
        return "";
    return authorization.substr(prefix.size());
}
} // namespace

EventLoop::EventLoop(std::size_t index, AgentGateway& gateway) : m_index(index), m_gateway(gateway) {
    m_epoll = epoll_create1(EPOLL_CLOEXEC);
    m_wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m_epoll < 0 || m_wake < 0)
        throw std::runtime_error("cannot create an event loop");
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = kWakeTag;
    epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wake, &event);
}

EventLoop::~EventLoop() {
    stop();
    ::close(m_wake);
    ::close(m_epoll);
}

void EventLoop::start() {
    m_running = true;
    m_thread = std::thread([this] { run(); });
}

void EventLoop::stop() {
    if (!m_thread.joinable())
        return;
    post([](EventLoop& loop) {
        std::vector<std::uint64_t> numbers;
        for (auto& [number, connection] : loop.m_connections)
            numbers.push_back(number);
        for (auto number : numbers)
            loop.close(number, protocol::kCloseGoingAway, "server shutting down");
        loop.m_running = false;
    });
    m_thread.join();
}

void EventLoop::post(std::function<void(EventLoop&)> task) {
    {
        std::lock_guard lock(m_postMutex);
        m_posted.push_back(std::move(task));
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = ::write(m_wake, &one, sizeof one);
}

void EventLoop::runPosted() {
    std::uint64_t count = 0;
    [[maybe_unused]] const auto got = ::read(m_wake, &count, sizeof count);
    std::vector<std::function<void(EventLoop&)>> tasks;
    {
        std::lock_guard lock(m_postMutex);
        tasks.swap(m_posted);
    }
    for (auto& task : tasks)
        task(*this);
}

void EventLoop::adopt(int fd) {
    auto connection = std::make_unique<AgentConnection>();
    std::unique_ptr<net::TlsConnection> tls;
    try {
        tls = net::TlsConnection::accept(fd, m_gateway.tlsContext());
    } catch (const std::exception& error) {
        m_gateway.connectionCounter()--;
        logger().warning("agent connection refused", {{"error", error.what()}});
        return;
    }
    const auto& settings = m_gateway.settings();
    connection->session.address = tls->peerAddress();
    connection->channel = std::make_unique<net::WebSocketChannel>(
        std::move(tls), protocol::WsRole::Server, settings.maxMessageBytes, settings.maxQueuedBytes);
    connection->session.loop = m_index;
    connection->session.connection = m_gateway.nextConnectionNumber();
    connection->deadline = Clock::now() + settings.handshakeTimeout;
    connection->tokens = settings.messageBurst;
    connection->refilledAt = Clock::now();
    connection->epollEvents = EPOLLIN;
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = connection->session.connection;
    if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, connection->channel->fd(), &event) != 0) {
        m_gateway.connectionCounter()--;
        return;
    }
    const auto number = connection->session.connection;
    m_connections.emplace(number, std::move(connection));
}

void EventLoop::run() {
    std::vector<epoll_event> events(512);
    auto nextSweep = Clock::now() + std::chrono::seconds(1);
    while (m_running) {
        const auto wait =
            std::chrono::duration_cast<std::chrono::milliseconds>(nextSweep - Clock::now()).count();
        const int ready = epoll_wait(m_epoll, events.data(), static_cast<int>(events.size()),
                                     static_cast<int>(std::max<long long>(0, wait)));
        if (ready < 0 && errno != EINTR) {
            logger().error("event loop failed", {{"error", std::strerror(errno)}});
            break;
        }
        for (int i = 0; i < ready; ++i) {
            const std::uint64_t tag = events[static_cast<std::size_t>(i)].data.u64;
            if (tag == kWakeTag) {
                runPosted();
                continue;
            }
            const auto it = m_connections.find(tag);
            if (it != m_connections.end())
                handle(*it->second, events[static_cast<std::size_t>(i)].events);
        }
        if (Clock::now() >= nextSweep) {
            sweep();
            nextSweep = Clock::now() + std::chrono::seconds(1);
        }
        for (auto number : m_doomed) {
            if (const auto it = m_connections.find(number); it != m_connections.end()) {
                epoll_ctl(m_epoll, EPOLL_CTL_DEL, it->second->channel->fd(), nullptr);
                m_connections.erase(it);
            }
        }
        m_doomed.clear();
    }
}

void EventLoop::handle(AgentConnection& connection, std::uint32_t events) {
    auto& channel = *connection.channel;
    if (connection.phase == AgentConnection::Phase::Closing) {
        if (!channel.discardInput() || (events & (EPOLLERR | EPOLLHUP)))
            m_doomed.push_back(connection.session.connection);
        return;
    }
    if (!channel.open())
        return;
    if ((events & (EPOLLERR | EPOLLHUP)) && connection.phase == AgentConnection::Phase::Admitting) {
        destroy(connection, "connection closed during admission");
        return;
    }
    if (connection.phase == AgentConnection::Phase::TlsHandshake) {
        const auto io = channel.tls().handshake();
        if (io == net::TlsConnection::Io::WouldBlock) {
            // The handshake may need to write; wait for whichever direction OpenSSL asked for.
            setInterest(connection, channel.tls().wantsWrite() ? EPOLLOUT : EPOLLIN);
            return;
        }
        if (io != net::TlsConnection::Io::Ok) {
            destroy(connection, "TLS handshake failed: " + channel.tls().error());
            return;
        }
        connection.phase = AgentConnection::Phase::UpgradeRequest;
    }
    if (connection.phase == AgentConnection::Phase::UpgradeRequest)
        readUpgrade(connection);
    else if (connection.phase == AgentConnection::Phase::Open && (events & EPOLLIN))
        readMessages(connection);
    if (!channel.open()) {
        destroy(connection, channel.closeReason());
        return;
    }
    if (!channel.flush()) {
        destroy(connection, channel.closeReason());
        return;
    }
    updateInterest(connection);
}

void EventLoop::readUpgrade(AgentConnection& connection) {
    auto& channel = *connection.channel;
    if (!channel.readRaw(connection.requestHead, protocol::kMaxUpgradeHeadBytes + 1))
        return;
    const auto parsed = protocol::parseHttpUpgradeRequest(connection.requestHead);
    if (parsed.state == protocol::HttpUpgradeParse::State::NeedMore)
        return;
    if (parsed.state == protocol::HttpUpgradeParse::State::Invalid) {
        refuse(connection, parsed.status, "bad_upgrade", parsed.error);
        return;
    }
    const auto& request = *parsed.request;
    connection.handler = m_gateway.handlerFor(request.path);
    if (!connection.handler) {
        refuse(connection, 404, "not_found", "no WebSocket endpoint at " + request.path.substr(0, 100));
        return;
    }
    const std::string credential = bearerOf(request.header("authorization"));
    if (credential.empty()) {
        refuse(connection, 401, "unauthenticated", "credentials are missing (Authorization: Bearer)");
        return;
    }
    // Frames sent before the 101 would be a client that does not wait; none of ours do.
    if (connection.requestHead.size() > parsed.headBytes) {
        refuse(connection, 400, "bad_upgrade", "data sent before the upgrade completed");
        return;
    }
    connection.webSocketKey = request.webSocketKey;
    std::string().swap(connection.requestHead);
    connection.phase = AgentConnection::Phase::Admitting;
    const std::uint64_t number = connection.session.connection;
    connection.handler->admit(credential, connection.session.address,
                              [this, number](AgentAdmission admission) {
                                  post([number, admission = std::move(admission)](EventLoop& loop) mutable {
                                      loop.admitted(number, std::move(admission));
                                  });
                              });
}

void EventLoop::admitted(std::uint64_t number, AgentAdmission admission) {
    const auto it = m_connections.find(number);
    if (it == m_connections.end())
        return;
    AgentConnection& connection = *it->second;
    if (!admission.admitted) {
        refuse(connection, admission.status, admission.code, admission.message);
        return;
    }
    admission.session.loop = m_index;
    admission.session.connection = number;
    admission.session.address = connection.session.address;
    admission.session.connectionId = crypto::SecureRandom::uuid();
    connection.session = admission.session;
    connection.channel->sendRaw(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: " +
        net::webSocketAcceptKey(connection.webSocketKey) + "\r\n\r\n");
    std::string().swap(connection.webSocketKey);
    connection.phase = AgentConnection::Phase::Open;
    connection.lastPing = Clock::now();
    if (const auto replaced = m_gateway.registerSession(connection.session)) {
        // The same device connected again (a restart, a network change): the newer connection wins.
        m_gateway.closeSession(*replaced, protocol::kCloseReplaced, "replaced by a newer connection");
    }
    connection.handler->opened(connection.session);
    if (!connection.channel->flush()) {
        destroy(connection, connection.channel->closeReason());
        return;
    }
    updateInterest(connection);
}

bool EventLoop::allowMessage(AgentConnection& connection) {
    const auto& settings = m_gateway.settings();
    const auto now = Clock::now();
    const double elapsed = std::chrono::duration<double>(now - connection.refilledAt).count();
    connection.tokens =
        std::min(settings.messageBurst, connection.tokens + elapsed * settings.messagesPerSecond);
    connection.refilledAt = now;
    if (connection.tokens < 1)
        return false;
    connection.tokens -= 1;
    return true;
}

void EventLoop::readMessages(AgentConnection& connection) {
    auto& channel = *connection.channel;
    channel.readAvailable([&](protocol::WsMessage&& message) {
        if (!channel.open())
            return;
        if (!allowMessage(connection)) {
            channel.close(protocol::kClosePolicyViolation, "message rate limit exceeded");
            return;
        }
        if (message.opcode != protocol::WsOpcode::Text) {
            protocol::Envelope error;
            error.type = protocol::agent_message::kError;
            error.fields = {{"code", "unsupported"}, {"message", "no stream channels are open"}};
            channel.sendText(protocol::encodeEnvelope(error));
            return;
        }
        auto decoded = protocol::decodeEnvelope(message.payload);
        if (!decoded) {
            protocol::Envelope error;
            error.type = protocol::agent_message::kError;
            error.fields = {{"code", "bad_message"}, {"message", decoded.error}};
            channel.sendText(protocol::encodeEnvelope(error));
            return;
        }
        if (!connection.handler->received(connection.session, std::move(*decoded.envelope)))
            channel.close(protocol::kCloseTryAgainLater, "server busy, try again later");
    });
}

void EventLoop::refuse(AgentConnection& connection, int status, const std::string& code,
                       const std::string& message) {
    const std::string body = nlohmann::json{{"error", {{"code", code}, {"message", message}}}}.dump();
    std::string response =
        "HTTP/1.1 " + std::to_string(status) + " " + reasonPhrase(status) +
        "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\nConnection: close\r\n";
    if (status == 503)
        response += "Retry-After: 30\r\n";
    response += "\r\n" + body;
    connection.channel->sendRaw(std::move(response));
    connection.channel->flush();
    destroy(connection, "refused: " + message);
}

void EventLoop::updateInterest(AgentConnection& connection) {
    if (!connection.channel->open())
        return;
    std::uint32_t wanted = EPOLLIN;
    if (connection.phase == AgentConnection::Phase::Admitting)
        wanted = 0; // nothing is read until the credential has been checked
    if (connection.channel->wantsWrite())
        wanted |= EPOLLOUT;
    setInterest(connection, wanted);
}

void EventLoop::setInterest(AgentConnection& connection, std::uint32_t wanted) {
    if (wanted == connection.epollEvents)
        return;
    epoll_event event{};
    event.events = wanted;
    event.data.u64 = connection.session.connection;
    epoll_ctl(m_epoll, EPOLL_CTL_MOD, connection.channel->fd(), &event);
    connection.epollEvents = wanted;
}

void EventLoop::sendOn(std::uint64_t number, const std::string& text) {
    const auto it = m_connections.find(number);
    if (it == m_connections.end() || it->second->phase != AgentConnection::Phase::Open)
        return;
    AgentConnection& connection = *it->second;
    if (!connection.channel->sendText(text)) {
        connection.channel->close(protocol::kCloseTryAgainLater, "send queue full");
        destroy(connection, "send queue full (the agent is not reading)");
        return;
    }
    if (!connection.channel->flush()) {
        destroy(connection, connection.channel->closeReason());
        return;
    }
    updateInterest(connection);
}

void EventLoop::close(std::uint64_t number, std::uint16_t code, const std::string& reason) {
    const auto it = m_connections.find(number);
    if (it == m_connections.end())
        return;
    it->second->channel->close(code, reason);
    destroy(*it->second, reason);
}

void EventLoop::destroy(AgentConnection& connection, const std::string& reason) {
    const auto number = connection.session.connection;
    if (connection.phase == AgentConnection::Phase::Closing ||
        std::find(m_doomed.begin(), m_doomed.end(), number) != m_doomed.end())
        return;
    if (connection.channel->open())
        connection.channel->close(protocol::kCloseNormal, "");
    if (connection.phase == AgentConnection::Phase::Open) {
        m_gateway.unregisterSession(connection.session);
        connection.handler->closed(connection.session, reason);
    }
    m_gateway.connectionCounter()--;
    if (connection.channel->lingering()) {
        connection.phase = AgentConnection::Phase::Closing;
        connection.deadline = Clock::now() + std::chrono::seconds(2);
        setInterest(connection, EPOLLIN);
        return;
    }
    epoll_ctl(m_epoll, EPOLL_CTL_DEL, connection.channel->fd(), nullptr);
    m_doomed.push_back(number);
}

void EventLoop::sweep() {
    const auto now = Clock::now();
    const auto& settings = m_gateway.settings();
    for (auto& [number, connection] : m_connections) {
        if (std::find(m_doomed.begin(), m_doomed.end(), number) != m_doomed.end())
            continue;
        if (connection->phase == AgentConnection::Phase::Closing) {
            if (now > connection->deadline)
                m_doomed.push_back(number);
            continue;
        }
        if (connection->phase != AgentConnection::Phase::Open) {
            if (connection->phase != AgentConnection::Phase::Admitting && now > connection->deadline)
                destroy(*connection, "handshake timed out");
            continue;
        }
        auto& channel = *connection->channel;
        if (now - channel.lastReceived() > settings.idleTimeout) {
            channel.close(protocol::kCloseGoingAway, "keepalive timeout");
            destroy(*connection, "keepalive timeout");
        } else if (now - channel.lastReceived() > settings.pingInterval &&
                   now - connection->lastPing > settings.pingInterval) {
            channel.sendPing();
            connection->lastPing = now;
            if (!channel.flush())
                destroy(*connection, channel.closeReason());
            else
                updateInterest(*connection);
        }
    }
}

} // namespace breeze::server
