#include "sessions/SessionHost.h"

#include "net/WebSocketChannel.h"
#include "protocol/AgentMessages.h"
#include "protocol/StreamFrame.h"
#include "sessions/DesktopSession.h"
#include "sessions/FileSession.h"
#include "sessions/TerminalSession.h"

#include <iostream>

namespace breeze::agent {

namespace {
constexpr std::size_t kMostSessions = 32;
constexpr std::size_t kMostEndedKept = 256;

void log(const std::string& line) {
    std::cerr << "breeze-agent: " << line << std::endl;
}
} // namespace

SessionHost::SessionHost(TerminalPolicy terminal, DesktopPolicy desktop)
    : m_policy(std::move(terminal)), m_desktop(std::move(desktop)) {}

SessionHost::~SessionHost() = default;

void SessionHost::end(const std::string& sessionId, std::uint32_t channel, const std::string& reason,
                      std::optional<int> exitCode) {
    protocol::SessionClosed closed;
    closed.sessionId = sessionId;
    closed.channel = channel;
    closed.reason = reason;
    closed.exitCode = exitCode;
    m_ended.push_back(std::move(closed));
    while (m_ended.size() > kMostEndedKept)
        m_ended.pop_front();
}

void SessionHost::open(const protocol::SessionOpen& open) {
    if (const auto it = m_sessions.find(open.sessionId); it != m_sessions.end()) {
        // The console came back (or moved to another connection): the same session on a new channel.
        LiveSession& session = *it->second;
        m_byChannel.erase(session.channel());
        session.attach(open.channel, true);
        m_byChannel[open.channel] = &session;
        log("session " + open.sessionId + " resumed");
        return;
    }
    if (open.resume) {
        end(open.sessionId, open.channel, "the session is no longer on the device (the agent restarted)",
            std::nullopt);
        return;
    }
    if (m_sessions.size() >= kMostSessions) {
        end(open.sessionId, open.channel,
            "the device already has " + std::to_string(kMostSessions) + " sessions", std::nullopt);
        return;
    }
    try {
        std::unique_ptr<LiveSession> session;
        if (open.kind == protocol::SessionKind::Terminal)
            session = std::make_unique<TerminalSession>(open, m_policy);
        else if (open.kind == protocol::SessionKind::Desktop)
            session = DesktopSession::openWithin(open, m_desktop, std::chrono::seconds(5));
        else
            session = std::make_unique<FileSession>(open);
        session->attach(open.channel, false);
        m_byChannel[open.channel] = session.get();
        m_sessions.emplace(open.sessionId, std::move(session));
        log(std::string(protocol::sessionKindName(open.kind)) + " session " + open.sessionId + " opened");
    } catch (const std::exception& error) {
        log(std::string(protocol::sessionKindName(open.kind)) + " session " + open.sessionId +
            " refused: " + error.what());
        end(open.sessionId, open.channel, error.what(), std::nullopt);
    }
}

void SessionHost::detach(std::uint32_t channel) {
    const auto it = m_byChannel.find(channel);
    if (it == m_byChannel.end())
        return;
    it->second->detach();
    m_byChannel.erase(it);
}

void SessionHost::close(const std::string& sessionId, const std::string& reason) {
    const auto it = m_sessions.find(sessionId);
    if (it == m_sessions.end())
        return;
    log("session " + sessionId + " closed: " + reason);
    m_byChannel.erase(it->second->channel());
    const std::uint32_t channel = it->second->channel();
    m_sessions.erase(it);
    end(sessionId, channel, reason, std::nullopt);
}

void SessionHost::frame(std::string_view bytes) {
    const auto decoded = protocol::decodeStreamFrame(bytes);
    if (!decoded)
        return;
    const auto it = m_byChannel.find(decoded.frame->channel);
    if (it == m_byChannel.end())
        return; // on its way before the channel was detached
    it->second->frame(*decoded.frame);
}

void SessionHost::linkLost() {
    for (auto& [id, session] : m_sessions)
        if (session->channel() != 0)
            session->detach();
    m_byChannel.clear();
}

void SessionHost::addPollFds(std::vector<pollfd>& fds) {
    m_polled.clear();
    for (auto& [id, session] : m_sessions) {
        const short events = session->pollEvents();
        if (events == 0)
            continue;
        fds.push_back({session->fd(), events, 0});
        m_polled.push_back(session.get());
    }
}

void SessionHost::ready(const std::vector<pollfd>& fds, std::size_t first) {
    for (std::size_t i = 0; i < m_polled.size() && first + i < fds.size(); ++i)
        if (fds[first + i].revents != 0)
            m_polled[i]->ready(fds[first + i].revents);
    m_polled.clear();
}

void SessionHost::tick() {
    const auto now = LiveSession::Clock::now();
    for (auto it = m_sessions.begin(); it != m_sessions.end();) {
        LiveSession& session = *it->second;
        session.ready(0); // notices a shell that exited without closing the terminal
        std::string reason;
        if (session.finished())
            reason = session.endReason();
        else if (session.channel() == 0 &&
                 now - session.detachedAt() > std::chrono::seconds(session.keepDetachedSeconds()))
            reason = "no console came back in time";
        else if (session.idleTimeoutSeconds() > 0 &&
                 now - session.lastActivity() > std::chrono::seconds(session.idleTimeoutSeconds()))
            reason = "idle for " + std::to_string(session.idleTimeoutSeconds()) + " s";
        if (reason.empty()) {
            ++it;
            continue;
        }
        log("session " + it->first + " ended: " + reason);
        const auto exitCode = session.exitCode();
        const std::uint32_t channel = session.channel();
        m_byChannel.erase(channel);
        end(it->first, channel, reason, exitCode);
        it = m_sessions.erase(it);
    }
}

bool SessionHost::wantsTurn() const {
    for (const auto& [id, session] : m_sessions)
        if (session->wantsTurn())
            return true;
    return false;
}

void SessionHost::send(net::WebSocketChannel& channel) {
    std::vector<std::string> frames;
    for (auto& [id, session] : m_sessions)
        session->drain(frames);
    for (const auto& frame : frames) {
        // Large frames go in the bulk lane, so a keystroke's echo never waits behind a picture or a chunk.
        const auto kind = static_cast<protocol::StreamKind>(frame[0]);
        channel.sendStream(frame, kind == protocol::StreamKind::FileChunk ||
                                          kind == protocol::StreamKind::DesktopVideo
                                      ? net::WebSocketChannel::Lane::Bulk
                                      : net::WebSocketChannel::Lane::Priority);
    }
    // After the frames, in the same lane: the server passes a session's last output on before its end.
    while (!m_ended.empty()) {
        channel.sendText(protocol::encodeEnvelope(m_ended.front().encode()));
        m_ended.pop_front();
    }
}

} // namespace breeze::agent
