#include "gateway/EventLoop.h"

#include "crypto/SecureRandom.h"
#include "gateway/AgentSessionHandler.h"
#include "gateway/FrontDoor.h"
#include "net/WebSocketConnector.h"
#include "ops/JsonLogger.h"
#include "protocol/AgentMessages.h"
#include "protocol/HttpUpgradeRequest.h"
#include "units/Units.h"

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
using Phase = Connection::Phase;
constexpr std::uint64_t kWakeTag = 0;
// A streamed answer is read from its file only while less than this waits to be written.
constexpr std::size_t kStreamHighWater = 256 * kKiB;
constexpr std::size_t kStreamChunk = 64 * kKiB;
constexpr std::size_t kBodyReadChunk = 64 * kKiB;
// A slow reader keeps its answer's deadline only by taking at least this much per write deadline.
constexpr std::uint64_t kMinProgressBytes = 16 * kKiB;
// A request whose worker has not answered in this long is given up (a hung database, say).
constexpr auto kWorkerDeadline = std::chrono::seconds(120);
// A message the handler had no room for is offered again this often.
constexpr auto kHeldRetry = std::chrono::milliseconds(50);
// A session closed after its last frames: the peer has this long to take them.
constexpr auto kDrainDeadline = std::chrono::seconds(10);

std::string bearerOf(const std::string& authorization) {
    constexpr std::string_view prefix = "Bearer ";
    if (authorization.size() <= prefix.size() || authorization.compare(0, prefix.size(), prefix) != 0)
        return "";
    return authorization.substr(prefix.size());
}

std::string pathOf(const std::string& target) {
    return target.substr(0, target.find('?'));
}

std::string codeFor(int status) {
    switch (status) {
    case 408:
        return "request_timeout";
    case 413:
        return "body_too_large";
    case 431:
        return "head_too_large";
    case 501:
        return "not_implemented";
    case 503:
        return "busy";
    case 505:
        return "http_version";
    default:
        return "invalid_request";
    }
}

// A refusal when no REST side is attached (a WebSocket-only door in tests).
HttpAnswer plainRefusal(int status, const std::string& code, const std::string& message) {
    HttpAnswer answer;
    answer.status = status;
    answer.headers = {{"Content-Type", "application/json"}};
    answer.body = nlohmann::json{{"error", {{"code", code}, {"message", message}}}}.dump();
    answer.close = true;
    return answer;
}
} // namespace

EventLoop::EventLoop(std::size_t index, FrontDoor& door) : m_index(index), m_door(door) {
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

void EventLoop::adopt(int fd, const std::string& address) {
    auto connection = std::make_unique<Connection>();
    std::unique_ptr<net::TlsConnection> tls;
    try {
        const auto context = m_door.tlsContext();
        tls = net::TlsConnection::accept(fd, context.get());
    } catch (const std::exception& error) {
        m_door.connectionEnded(address, true);
        logger().warning("connection refused", {{"error", error.what()}});
        return;
    }
    const auto& settings = m_door.settings();
    connection->session.address = address;
    connection->channel = std::make_unique<net::WebSocketChannel>(
        std::move(tls), protocol::WsRole::Server, settings.maxMessageBytes, settings.maxQueuedBytes);
    connection->session.loop = m_index;
    connection->session.connection = m_door.nextConnectionNumber();
    connection->deadline = Clock::now() + settings.handshakeTimeout;
    connection->tokens = settings.messageBurst;
    connection->refilledAt = Clock::now();
    connection->epollEvents = EPOLLIN;
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = connection->session.connection;
    if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, connection->channel->fd(), &event) != 0) {
        m_door.connectionEnded(address, true);
        return;
    }
    const auto number = connection->session.connection;
    m_connections.emplace(number, std::move(connection));
}

void EventLoop::run() {
    std::vector<epoll_event> events(512);
    auto nextSweep = Clock::now() + std::chrono::seconds(1);
    while (m_running) {
        const auto wake = m_resumeAt.empty() ? nextSweep : std::min(nextSweep, m_resumeAt.begin()->first);
        const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(wake - Clock::now()).count() +
                          (wake == nextSweep ? 0 : 1);
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
        resumeDue();
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

void EventLoop::handle(Connection& connection, std::uint32_t events) {
    auto& channel = *connection.channel;
    if (connection.phase == Phase::Closing) {
        if (!channel.discardInput() || (events & (EPOLLERR | EPOLLHUP)))
            m_doomed.push_back(connection.session.connection);
        return;
    }
    if (connection.ended)
        return;
    if (!channel.open()) {
        destroy(connection, channel.closeReason());
        return;
    }
    const bool waitingOnWorker = connection.phase == Phase::Admitting ||
                                 connection.phase == Phase::Dispatching ||
                                 connection.phase == Phase::Handling;
    // A paused session has no read interest, but epoll still reports a dead socket: without this the loop
    // would be woken for it again and again.
    if ((events & (EPOLLERR | EPOLLHUP)) && connection.phase == Phase::Open && connection.readPaused) {
        destroy(connection, "connection lost while its reading was paused");
        return;
    }
    if ((events & (EPOLLERR | EPOLLHUP)) && waitingOnWorker) {
        destroy(connection, "connection closed while its request was handled");
        return;
    }
    if (connection.phase == Phase::TlsHandshake) {
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
        connection.phase = Phase::RequestHead;
        connection.deadline = Clock::now() + m_door.settings().httpIdleTimeout;
    }
    switch (connection.phase) {
    case Phase::RequestHead:
        readRequestHead(connection);
        break;
    case Phase::RequestBody:
        readRequestBody(connection);
        break;
    case Phase::Responding:
        continueResponse(connection);
        break;
    case Phase::Open:
        if (events & EPOLLIN)
            readMessages(connection);
        break;
    default:
        break;
    }
    if (connection.ended)
        return;
    if (!channel.open() || !channel.flush()) {
        destroy(connection, channel.closeReason());
        return;
    }
    updateInterest(connection);
}

void EventLoop::readRequestHead(Connection& connection) {
    auto& channel = *connection.channel;
    const bool waiting = connection.input.empty();
    const std::size_t limit = std::max(connection.input.size(), protocol::kMaxRequestHeadBytes + 1);
    if (!channel.readRaw(connection.input, limit))
        return;
    if (connection.input.empty())
        return;
    if (waiting) // the request has begun: its head must now arrive within the header deadline
        connection.deadline = Clock::now() + m_door.settings().httpHeaderTimeout;
    // Parse only once the blank line that ends a head has arrived (or the head is too long): a head sent a
    // byte at a time must not be parsed from its start at every byte.
    const std::size_t from = connection.headScanned > 3 ? connection.headScanned - 3 : 0;
    if (connection.input.find("\r\n\r\n", from) == std::string::npos &&
        connection.input.size() <= protocol::kMaxRequestHeadBytes) {
        connection.headScanned = connection.input.size();
        return;
    }
    connection.headScanned = 0;
    auto parsed = protocol::parseHttpRequestHead(connection.input);
    if (parsed.state == protocol::HttpHeadParse::State::NeedMore)
        return;
    if (parsed.state == protocol::HttpHeadParse::State::Invalid) {
        refuse(connection, parsed.status, codeFor(parsed.status), parsed.error);
        return;
    }
    if (parsed.head->wantsWebSocket()) {
        startUpgrade(connection, *parsed.head, parsed.headBytes);
        return;
    }
    connection.input.erase(0, parsed.headBytes);
    startRequest(connection, std::move(*parsed.head));
}

void EventLoop::startUpgrade(Connection& connection, const protocol::HttpRequestHead& head,
                             std::size_t headBytes) {
    const auto parsed = protocol::checkUpgrade(head, headBytes);
    if (parsed.state != protocol::HttpUpgradeParse::State::Complete) {
        refuse(connection, parsed.status, "bad_upgrade", parsed.error);
        return;
    }
    const auto& request = *parsed.request;
    connection.handler = m_door.handlerFor(pathOf(request.path));
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
    if (connection.input.size() > headBytes) {
        refuse(connection, 400, "bad_upgrade", "data sent before the upgrade completed");
        return;
    }
    connection.webSocketKey = request.webSocketKey;
    std::string().swap(connection.input);
    connection.phase = Phase::Admitting;
    connection.deadline = Clock::now() + kWorkerDeadline;
    const std::uint64_t number = connection.session.connection;
    AgentSessionHandler* handler = connection.handler;
    handler->admit(credential, connection.session.address, [this, number, handler](AgentAdmission admission) {
        post([number, handler, admission = std::move(admission)](EventLoop& loop) mutable {
            loop.admitted(number, handler, std::move(admission));
        });
    });
}

void EventLoop::startRequest(Connection& connection, protocol::HttpRequestHead head) {
    auto* http = m_door.httpHandler();
    const std::string path = pathOf(head.target);
    if (m_door.isEndpoint(path)) {
        refuse(connection, 426, "upgrade_required", "this endpoint only speaks WebSocket");
        return;
    }
    if (!http) {
        refuse(connection, 404, "not_found", "no such endpoint: " + path.substr(0, 100));
        return;
    }
    if (head.method == "HEAD") {
        // No route answers HEAD; a body after a HEAD answer would be read as the next answer, so the
        // connection closes with this one.
        refuse(connection, 405, "method_not_allowed", "HEAD is not supported; use GET");
        return;
    }
    auto framing = protocol::HttpBodyReader::forHead(head, m_door.settings().httpMaxBodyBytes);
    if (framing.status != 0) {
        refuse(connection, framing.status, codeFor(framing.status), framing.error);
        return;
    }
    connection.keepAlive = head.keepAlive();
    connection.expectContinue = head.headerHasToken("expect", "100-continue");
    connection.body = std::move(framing.reader);
    const bool hasBody =
        connection.body && connection.body->state() != protocol::HttpBodyReader::State::Complete;
    connection.exchange = http->open(std::move(head), connection.session.address);
    connection.phase = Phase::Dispatching;
    connection.httpActive = true;
    ++m_httpInFlight;
    submit(connection, [hasBody](HttpExchange& exchange) -> std::shared_ptr<HttpAnswer> {
        auto answer = exchange.begin(hasBody);
        return answer ? std::make_shared<HttpAnswer>(std::move(*answer)) : nullptr;
    });
    connection.deadline = Clock::now() + kWorkerDeadline;
}

void EventLoop::submit(Connection& connection,
                       std::function<std::shared_ptr<HttpAnswer>(HttpExchange&)> work) {
    auto exchange = connection.exchange;
    const std::uint64_t number = connection.session.connection;
    const bool queued = m_door.workers().trySubmit([this, exchange, number, work = std::move(work)] {
        std::shared_ptr<HttpAnswer> answer;
        std::size_t limit = 0;
        try {
            answer = work(*exchange);
            if (!answer)
                limit = exchange->bodyLimit();
        } catch (const std::exception& error) {
            // The exchange handles its own errors; this is a last resort so the connection is never left
            // waiting for an answer that will not come.
            logger().error("request handling failed", {{"error", error.what()}});
            answer = std::make_shared<HttpAnswer>(
                plainRefusal(500, "internal", "internal error while handling the request"));
        }
        post([number, answer, limit](EventLoop& loop) {
            if (answer)
                loop.answered(number, answer);
            else
                loop.bodyWanted(number, limit);
        });
    });
    if (!queued) {
        connection.exchange.reset();
        refuse(connection, 503, "busy", "the server is busy; try again shortly");
    }
}

void EventLoop::bodyWanted(std::uint64_t number, std::size_t limit) {
    const auto it = m_connections.find(number);
    if (it == m_connections.end() || it->second->ended)
        return;
    Connection& connection = *it->second;
    connection.phase = Phase::RequestBody;
    connection.deadline = Clock::now() + m_door.settings().httpBodyTimeout;
    connection.body->limitTo(limit);
    if (connection.expectContinue && connection.body->state() == protocol::HttpBodyReader::State::NeedMore)
        connection.channel->sendRaw("HTTP/1.1 100 Continue\r\n\r\n");
    readRequestBody(connection);
    settle(connection);
}

void EventLoop::readRequestBody(Connection& connection) {
    auto& channel = *connection.channel;
    auto& body = *connection.body;
    auto state = body.feed(connection.input);
    while (state == protocol::HttpBodyReader::State::NeedMore) {
        const std::size_t before = connection.input.size();
        if (!channel.readRaw(connection.input, before + kBodyReadChunk))
            return;
        if (connection.input.size() == before)
            return; // nothing more for now
        state = body.feed(connection.input);
    }
    connection.phase = Phase::Handling;
    connection.deadline = Clock::now() + kWorkerDeadline;
    if (state == protocol::HttpBodyReader::State::Complete) {
        submit(connection, [content = body.takeBody()](HttpExchange& exchange) mutable {
            return std::make_shared<HttpAnswer>(exchange.finish(std::move(content)));
        });
    } else {
        // The rest of a refused body is not read: the connection closes after the answer.
        const int status = state == protocol::HttpBodyReader::State::TooLarge ? 413 : 400;
        submit(connection, [status, error = body.error()](HttpExchange& exchange) {
            return std::make_shared<HttpAnswer>(exchange.fail(status, codeFor(status), error));
        });
    }
    connection.body.reset();
}

void EventLoop::answered(std::uint64_t number, const std::shared_ptr<HttpAnswer>& answer) {
    const auto it = m_connections.find(number);
    if (it == m_connections.end() || it->second->ended)
        return;
    Connection& connection = *it->second;
    respond(connection, std::move(*answer));
    settle(connection);
}

void EventLoop::respond(Connection& connection, HttpAnswer answer) {
    auto& channel = *connection.channel;
    connection.phase = Phase::Responding;
    connection.exchange.reset();
    connection.body.reset();
    if (answer.close)
        connection.keepAlive = false;
    channel.sendRaw(answer.head(connection.keepAlive));
    if (answer.file) {
        connection.file = std::move(answer.file);
        connection.fileLeft = answer.fileSize;
    } else if (!answer.body.empty()) {
        channel.sendRaw(std::move(answer.body));
    }
    connection.deadline = Clock::now() + m_door.settings().httpWriteTimeout;
    connection.writtenAtDeadline = channel.bytesWritten();
    continueResponse(connection);
}

void EventLoop::continueResponse(Connection& connection) {
    auto& channel = *connection.channel;
    for (;;) {
        if (!channel.flush())
            return;
        // The client takes what we send: the deadline moves, but only for real progress, so a peer reading a
        // byte now and then cannot hold the answer (and its file) forever.
        if (channel.bytesWritten() - connection.writtenAtDeadline >= kMinProgressBytes ||
            (!channel.wantsWrite() && connection.fileLeft == 0)) {
            connection.deadline = Clock::now() + m_door.settings().httpWriteTimeout;
            connection.writtenAtDeadline = channel.bytesWritten();
        }
        if (connection.fileLeft == 0 || channel.queuedBytes() >= kStreamHighWater)
            break;
        std::string chunk(
            static_cast<std::size_t>(std::min<std::uint64_t>(kStreamChunk, connection.fileLeft)), '\0');
        const std::size_t got = std::fread(chunk.data(), 1, chunk.size(), connection.file.get());
        if (got == 0) {
            // The file shrank under us: the promised length cannot be kept, so the connection ends.
            destroy(connection, "download file could not be read");
            return;
        }
        chunk.resize(got);
        connection.fileLeft -= got;
        channel.sendRaw(std::move(chunk));
    }
    if (channel.wantsWrite() || connection.fileLeft > 0)
        return;
    connection.file.reset();
    if (connection.httpActive) {
        connection.httpActive = false;
        --m_httpInFlight;
    }
    if (!connection.keepAlive) {
        channel.finishRaw("answered");
        destroy(connection, "answered");
        return;
    }
    connection.phase = Phase::RequestHead;
    connection.headScanned = 0;
    connection.deadline = Clock::now() + (connection.input.empty() ? m_door.settings().httpIdleTimeout
                                                                   : m_door.settings().httpHeaderTimeout);
    if (connection.input.empty() && connection.input.capacity() > 4096)
        std::string().swap(connection.input); // an idle connection keeps no buffer
    // A pipelined request may already be here, in `input` or still inside OpenSSL where epoll cannot see it.
    readRequestHead(connection);
}

void EventLoop::refuse(Connection& connection, int status, const std::string& code,
                       const std::string& message) {
    auto* http = m_door.httpHandler();
    HttpAnswer answer = http ? http->reject(connection.session.address, status, code, message)
                             : plainRefusal(status, code, message);
    if (status == 503 || status == 429)
        answer.headers.emplace_back("Retry-After", status == 503 ? "5" : "30");
    connection.keepAlive = false;
    respond(connection, std::move(answer));
}

void EventLoop::admitted(std::uint64_t number, AgentSessionHandler* handler, AgentAdmission admission) {
    const auto it = m_connections.find(number);
    if (it == m_connections.end() || it->second->ended) {
        if (admission.admitted)
            handler->abandoned(admission.session); // nothing it set aside may outlive the connection
        return;
    }
    Connection& connection = *it->second;
    if (!admission.admitted) {
        refuse(connection, admission.status, admission.code, admission.message);
        settle(connection);
        return;
    }
    admission.session.loop = m_index;
    admission.session.connection = number;
    admission.session.address = connection.session.address;
    admission.session.connectionId = crypto::SecureRandom::uuid();
    connection.session = admission.session;
    connection.window = std::make_shared<InboundWindow>(m_door.settings().messageWindow, [this, number] {
        post([number](EventLoop& loop) { loop.resumeReading(number); });
    });
    connection.channel->sendRaw(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: " +
        net::webSocketAcceptKey(connection.webSocketKey) + "\r\n\r\n");
    std::string().swap(connection.webSocketKey);
    connection.phase = Phase::Open;
    connection.lastPing = Clock::now();
    // Authenticated: agents behind one NAT may be many, so sessions do not count against their address.
    m_door.releaseAddress(connection.session.address);
    connection.countedForAddress = false;
    if (const auto replaced = m_door.registerSession(connection.session)) {
        // The same device connected again (a restart, a network change): the newer connection wins.
        m_door.closeSession(*replaced, protocol::kCloseReplaced, "replaced by a newer connection");
    }
    connection.handler->opened(connection.session);
    if (!connection.channel->flush()) {
        destroy(connection, connection.channel->closeReason());
        return;
    }
    updateInterest(connection);
}

bool EventLoop::mayTakeMessage(Connection& connection) {
    if (connection.held) {
        pauseReading(connection, Clock::now() + kHeldRetry);
        return false;
    }
    const auto& settings = m_door.settings();
    const auto now = Clock::now();
    const double elapsed = std::chrono::duration<double>(now - connection.refilledAt).count();
    connection.tokens =
        std::min(settings.messageBurst, connection.tokens + elapsed * settings.messagesPerSecond);
    connection.refilledAt = now;
    if (connection.tokens < 1) {
        // Over its rate: read again once the next token is due.
        const double wait = (1 - connection.tokens) / settings.messagesPerSecond;
        pauseReading(connection,
                     now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(wait)));
        return false;
    }
    if (connection.window && !connection.window->hasRoom()) {
        pauseReading(connection, std::nullopt); // the window resumes it once half is answered
        return false;
    }
    return true;
}

void EventLoop::pauseReading(Connection& connection, std::optional<Clock::time_point> until) {
    connection.readPaused = true;
    if (until)
        m_resumeAt.emplace(*until, connection.session.connection);
}

bool EventLoop::offerHeld(Connection& connection) {
    MessageTicket ticket(connection.window);
    if (!connection.handler->received(connection.session, *connection.held, ticket))
        return false;
    connection.held.reset();
    return true;
}

void EventLoop::readMessages(Connection& connection) {
    auto& channel = *connection.channel;
    connection.readPaused = false;
    if (connection.held && !offerHeld(connection)) {
        pauseReading(connection, Clock::now() + kHeldRetry);
        return;
    }
    channel.readAvailable(
        [&](protocol::WsMessage&& message) {
            if (message.opcode == protocol::WsOpcode::Binary &&
                connection.handler->streamReceived(connection.session, message.payload))
                return; // stream frames are bounded by their session's credit, not by the message rate
            connection.tokens -= 1;
            if (message.opcode != protocol::WsOpcode::Text) {
                protocol::Envelope error;
                error.type = protocol::agent_message::kError;
                error.fields = {{"code", "unsupported"}, {"message", "no stream channels are open"}};
                channel.sendText(protocol::encodeEnvelope(error));
                return;
            }
            connection.held = std::move(message.payload);
            // When the handler's queues are full the message stays held, and mayTakeMessage pauses reading
            // (one retry timer, set there) before anything more is read.
            offerHeld(connection);
        },
        [&] { return mayTakeMessage(connection); });
}

void EventLoop::resumeReading(std::uint64_t number) {
    const auto it = m_connections.find(number);
    if (it == m_connections.end())
        return;
    Connection& connection = *it->second;
    if (connection.ended || connection.phase != Phase::Open || !connection.readPaused)
        return;
    readMessages(connection);
    if (!connection.ended && connection.channel->open() && !connection.channel->flush()) {
        destroy(connection, connection.channel->closeReason());
        return;
    }
    settle(connection);
}

void EventLoop::resumeDue() {
    const auto now = Clock::now();
    while (!m_resumeAt.empty() && m_resumeAt.begin()->first <= now) {
        const auto number = m_resumeAt.begin()->second;
        m_resumeAt.erase(m_resumeAt.begin());
        resumeReading(number);
    }
}

void EventLoop::settle(Connection& connection) {
    if (connection.ended)
        return;
    if (!connection.channel->open()) {
        destroy(connection, connection.channel->closeReason());
        return;
    }
    updateInterest(connection);
}

void EventLoop::updateInterest(Connection& connection) {
    if (connection.ended || !connection.channel->open())
        return;
    if (connection.closeWhenDrained && !connection.channel->wantsWrite()) {
        const auto [code, reason] = *connection.closeWhenDrained;
        connection.channel->close(code, reason);
        destroy(connection, reason);
        return;
    }
    std::uint32_t wanted = EPOLLIN;
    switch (connection.phase) {
    case Phase::Admitting:
    case Phase::Dispatching:
    case Phase::Handling:   // nothing is read while a worker decides; the kernel holds what arrives
    case Phase::Responding: // the next request is read once this answer is out
        wanted = 0;
        break;
    case Phase::Open:
        if (connection.readPaused)
            wanted = 0; // back-pressure: the peer's bytes wait in the kernel, and TCP slows it
        break;
    default:
        break;
    }
    if (connection.channel->wantsWrite() || connection.fileLeft > 0)
        wanted |= EPOLLOUT;
    setInterest(connection, wanted);
}

void EventLoop::setInterest(Connection& connection, std::uint32_t wanted) {
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
    if (it == m_connections.end() || it->second->phase != Phase::Open || it->second->ended)
        return;
    Connection& connection = *it->second;
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

void EventLoop::streamOn(std::uint64_t number, const std::string& frame, net::WebSocketChannel::Lane lane) {
    const auto it = m_connections.find(number);
    if (it == m_connections.end() || it->second->phase != Phase::Open || it->second->ended)
        return;
    Connection& connection = *it->second;
    connection.channel->sendStream(frame, lane);
    if (!connection.channel->flush()) {
        destroy(connection, connection.channel->closeReason());
        return;
    }
    updateInterest(connection);
}

void EventLoop::closeDrained(std::uint64_t number, std::uint16_t code, const std::string& reason) {
    const auto it = m_connections.find(number);
    if (it == m_connections.end() || it->second->phase != Phase::Open || it->second->ended)
        return;
    Connection& connection = *it->second;
    connection.closeWhenDrained = {code, reason};
    connection.deadline = Clock::now() + kDrainDeadline;
    updateInterest(connection);
}

void EventLoop::close(std::uint64_t number, std::uint16_t code, const std::string& reason) {
    const auto it = m_connections.find(number);
    if (it == m_connections.end() || it->second->ended)
        return;
    if (it->second->phase == Phase::Open)
        it->second->channel->close(code, reason);
    destroy(*it->second, reason);
}

void EventLoop::destroy(Connection& connection, const std::string& reason) {
    const auto number = connection.session.connection;
    if (connection.ended)
        return;
    connection.ended = true;
    if (connection.channel->open())
        connection.channel->abort(reason);
    if (connection.phase == Phase::Open) {
        m_door.unregisterSession(connection.session);
        connection.handler->closed(connection.session, reason);
    }
    if (connection.httpActive) {
        connection.httpActive = false;
        --m_httpInFlight;
    }
    connection.exchange.reset();
    connection.file.reset();
    m_door.connectionEnded(connection.session.address, connection.countedForAddress);
    if (connection.channel->lingering()) {
        connection.phase = Phase::Closing;
        connection.deadline = Clock::now() + std::chrono::seconds(2);
        setInterest(connection, EPOLLIN);
        return;
    }
    epoll_ctl(m_epoll, EPOLL_CTL_DEL, connection.channel->fd(), nullptr);
    m_doomed.push_back(number);
}

void EventLoop::sweep() {
    const auto now = Clock::now();
    const auto& settings = m_door.settings();
    for (auto& [number, connection] : m_connections) {
        if (connection->phase == Phase::Closing) {
            if (now > connection->deadline &&
                std::find(m_doomed.begin(), m_doomed.end(), number) == m_doomed.end())
                m_doomed.push_back(number);
            continue;
        }
        if (connection->ended)
            continue;
        switch (connection->phase) {
        case Phase::TlsHandshake:
            if (now > connection->deadline)
                destroy(*connection, "TLS handshake timed out");
            break;
        case Phase::RequestHead:
            if (now > connection->deadline)
                destroy(*connection, connection->input.empty() ? "idle" : "request head timed out");
            break;
        case Phase::RequestBody:
            if (now > connection->deadline) {
                connection->phase = Phase::Handling;
                connection->deadline = now + kWorkerDeadline;
                connection->body.reset();
                submit(*connection, [](HttpExchange& exchange) {
                    return std::make_shared<HttpAnswer>(
                        exchange.fail(408, "request_timeout", "the request body did not arrive in time"));
                });
                updateInterest(*connection);
            }
            break;
        case Phase::Responding:
            if (now > connection->deadline)
                destroy(*connection, "the client stopped reading its answer");
            break;
        case Phase::Dispatching:
        case Phase::Handling:
        case Phase::Admitting:
            if (now > connection->deadline)
                destroy(*connection, "no answer from the server's workers in time");
            break;
        case Phase::Open: {
            auto& channel = *connection->channel;
            if (connection->closeWhenDrained && now > connection->deadline) {
                channel.close(connection->closeWhenDrained->first, connection->closeWhenDrained->second);
                destroy(*connection, "the peer did not take its last frames in time");
            } else if (connection->readPaused) {
                // We are the ones not reading; its silence says nothing about the peer.
            } else if (now - channel.lastReceived() > settings.idleTimeout) {
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
            break;
        }
        default:
            break;
        }
    }
}

} // namespace breeze::server
