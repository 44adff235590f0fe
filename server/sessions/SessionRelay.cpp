#include "sessions/SessionRelay.h"

#include "gateway/FrontDoor.h"
#include "ops/JsonLogger.h"
#include "protocol/StreamFrame.h"
#include "protocol/TerminalControl.h"
#include "protocol/WebSocketCodec.h"
#include "sessions/DesktopRecorder.h"
#include "sessions/SessionRecorder.h"

namespace breeze::server {

using protocol::StreamKind;
using Lane = net::WebSocketChannel::Lane;

namespace {
Lane laneOf(StreamKind kind) {
    return kind == StreamKind::FileChunk || kind == StreamKind::DesktopVideo ? Lane::Bulk : Lane::Priority;
}

// The data a session of this kind carries from this side (besides SessionControl and Window, which every
// kind has both ways).
bool carries(protocol::SessionKind session, StreamKind kind, bool fromConsole) {
    switch (kind) {
    case StreamKind::SessionControl:
    case StreamKind::Window:
        return true;
    case StreamKind::TerminalData:
        return session == protocol::SessionKind::Terminal;
    case StreamKind::FileChunk:
        return session == protocol::SessionKind::Files;
    case StreamKind::DesktopVideo:
        return session == protocol::SessionKind::Desktop && !fromConsole;
    case StreamKind::DesktopInput:
        return session == protocol::SessionKind::Desktop && fromConsole;
    default:
        return false;
    }
}

// A control message's JSON (none when malformed: the receiver judges it; it is not the relay's to refuse).
std::optional<nlohmann::json> controlOf(std::string_view payload) {
    try {
        return protocol::decodeSessionControl(payload);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::string endedFrame(const std::string& reason, std::optional<int> exitCode) {
    protocol::SessionEnded ended{reason, exitCode};
    return protocol::encodeStreamFrame(StreamKind::SessionControl, protocol::kRelayChannel, ended.encode());
}
} // namespace

SessionRelay::SessionRelay(FrontDoor& door, std::function<void(const RelayReport&)> report,
                           SessionRecorder* recorder, DesktopRecorder* desktopRecorder)
    : m_door(door), m_report(std::move(report)), m_recorder(recorder), m_desktopRecorder(desktopRecorder) {}

bool SessionRelay::attach(const AgentSession& console, Attachment attachment) {
    const auto agent = m_door.session(console.deviceId);
    if (!agent)
        return false;
    std::optional<RelayReport> replaced;
    std::optional<AgentSession> replacedConsole;
    auto channel = std::make_shared<Channel>();
    {
        std::lock_guard lock(m_mutex);
        if (const auto it = m_bySession.find(attachment.sessionId); it != m_bySession.end()) {
            replacedConsole = it->second->console;
            replaced = detach(it->second, RelayReport::Kind::Detached, "attached from another connection");
        }
        auto& next = m_nextChannel[agent->connection];
        next = next >= 0x7FFFFFF0 ? 1 : next + 1;
        channel->sessionId = attachment.sessionId;
        channel->kind = attachment.kind;
        channel->viewOnly =
            attachment.kind == protocol::SessionKind::Desktop && attachment.open.desktop.viewOnly;
        channel->recorded = m_desktopRecorder && attachment.kind == protocol::SessionKind::Desktop &&
                            attachment.open.desktop.record;
        channel->agent = *agent;
        channel->agentChannel = next;
        channel->console = console;
        channel->toConsoleGranted = protocol::initialWindow(attachment.kind);
        channel->toAgentGranted = protocol::initialWindow(attachment.kind);
        m_byAgent[{agent->connection, next}] = channel;
        m_byConsole[console.connection] = channel;
        m_bySession[attachment.sessionId] = channel;
    }
    // The agent's connection may have ended while this was set up (agentGone runs after it leaves the
    // registry): then the channel is on a dead connection, and the console must try again.
    if (const auto now = m_door.session(console.deviceId); !now || now->connection != agent->connection) {
        std::lock_guard lock(m_mutex);
        if (m_byConsole.contains(console.connection))
            detach(channel, RelayReport::Kind::Detached, "the device disconnected");
        return false;
    }
    if (replacedConsole)
        m_door.closeSession(*replacedConsole, protocol::kCloseAttachedElsewhere,
                            "the session was attached from another connection");
    if (replaced)
        m_report(*replaced);
    if (m_recorder && attachment.kind == protocol::SessionKind::Terminal)
        m_recorder->begin(attachment.sessionId, {agent->partnerId, agent->orgId, agent->siteId},
                          attachment.open.terminal.cols, attachment.open.terminal.rows);
    if (channel->recorded)
        m_desktopRecorder->begin(attachment.sessionId);
    attachment.open.channel = channel->agentChannel;
    m_door.reply(*agent, protocol::encodeEnvelope(attachment.open.encode()));
    return true;
}

RelayReport SessionRelay::detach(const std::shared_ptr<Channel>& channel, RelayReport::Kind kind,
                                 std::string reason) {
    if (channel->recorded) // what it recorded is stored whole; a later attachment continues it
        m_desktopRecorder->end(channel->sessionId);
    m_byAgent.erase({channel->agent.connection, channel->agentChannel});
    m_byConsole.erase(channel->console.connection);
    if (const auto it = m_bySession.find(channel->sessionId);
        it != m_bySession.end() && it->second == channel)
        m_bySession.erase(it);
    RelayReport report;
    report.kind = kind;
    report.sessionId = channel->sessionId;
    report.reason = std::move(reason);
    report.bytesToDevice = std::exchange(channel->bytesToDevice, 0);
    report.bytesFromDevice = std::exchange(channel->bytesFromDevice, 0);
    return report;
}

void SessionRelay::endBroken(const std::shared_ptr<Channel>& channel, const std::string& why) {
    // A peer that breaks the relay's rules loses this attachment, not the session: the console is closed and
    // the agent keeps the session detached, as after a network drop.
    RelayReport report;
    {
        std::lock_guard lock(m_mutex);
        ++m_violations;
        if (m_byConsole.find(channel->console.connection) == m_byConsole.end())
            return; // already gone
        report = detach(channel, RelayReport::Kind::Detached, why);
    }
    logger().warning("session relay broken", {{"session_id", channel->sessionId}, {"reason", why}});
    m_door.reply(channel->agent,
                 protocol::encodeEnvelope(protocol::SessionDetach{channel->agentChannel}.encode()));
    m_door.closeSession(channel->console, protocol::kClosePolicyViolation, why);
    m_report(report);
}

void SessionRelay::fromConsole(const AgentSession& console, std::string& frame) {
    const auto decoded = protocol::decodeStreamFrame(frame);
    std::shared_ptr<Channel> channel;
    std::string broken;
    Lane lane = Lane::Priority;
    {
        std::lock_guard lock(m_mutex);
        const auto it = m_byConsole.find(console.connection);
        if (it == m_byConsole.end()) {
            ++m_violations;
            return;
        }
        channel = it->second;
        if (!decoded) {
            broken = "a malformed frame from the console: " + decoded.error;
        } else if (!carries(channel->kind, decoded.frame->kind, true)) {
            broken = "the console sent a frame this session does not carry";
        } else if (decoded.frame->kind == StreamKind::DesktopInput && channel->viewOnly) {
            broken = "a view-only console sent input";
        } else if (decoded.frame->kind == StreamKind::SessionControl &&
                   decoded.frame->payload.size() > protocol::kMaxSessionControlBytes) {
            broken = "the console sent an oversized control message";
        } else if (decoded.frame->kind == StreamKind::Window) {
            const auto increment = protocol::decodeWindowIncrement(decoded.frame->payload);
            if (!increment || *increment < protocol::kMinWindowIncrement ||
                channel->toConsoleGranted + *increment - channel->toConsoleUsed >
                    protocol::initialWindow(channel->kind))
                broken = "the console granted more credit than allowed";
            else
                channel->toConsoleGranted += *increment;
        } else {
            const auto cost = decoded.frame->payload.size() + protocol::kFrameCost;
            if (channel->toAgentUsed + cost > channel->toAgentGranted) {
                broken = "the console sent beyond its credit";
            } else {
                channel->toAgentUsed += cost;
                channel->bytesToDevice += decoded.frame->payload.size();
                lane = laneOf(decoded.frame->kind);
            }
        }
    }
    if (!broken.empty()) {
        endBroken(channel, broken);
        return;
    }
    if (m_recorder && channel->kind == protocol::SessionKind::Terminal) {
        if (decoded.frame->kind == StreamKind::TerminalData) {
            m_recorder->input(channel->sessionId, decoded.frame->payload);
        } else if (decoded.frame->kind == StreamKind::SessionControl) {
            if (const auto control = controlOf(decoded.frame->payload)) {
                try {
                    if (const auto resize = protocol::TerminalResize::from(*control))
                        m_recorder->resize(channel->sessionId, resize->cols, resize->rows);
                } catch (const std::exception&) {
                }
            }
        }
    }
    protocol::setStreamChannel(frame, channel->agentChannel);
    m_door.sendStream(channel->agent, std::move(frame), lane);
}

void SessionRelay::fromAgent(const AgentSession& agent, std::string& frame) {
    const auto decoded = protocol::decodeStreamFrame(frame);
    if (!decoded) {
        std::lock_guard lock(m_mutex);
        ++m_violations;
        return;
    }
    std::shared_ptr<Channel> channel;
    std::string broken;
    std::optional<nlohmann::json> control;
    Lane lane = Lane::Priority;
    {
        std::lock_guard lock(m_mutex);
        const auto it = m_byAgent.find({agent.connection, decoded.frame->channel});
        if (it == m_byAgent.end()) {
            // A frame that was on its way when its console left: dropped (the agent stops once it is told).
            ++m_violations;
            return;
        }
        channel = it->second;
        if (!carries(channel->kind, decoded.frame->kind, false)) {
            broken = "the agent sent a frame this session does not carry";
        } else if (decoded.frame->kind == StreamKind::SessionControl &&
                   decoded.frame->payload.size() > protocol::kMaxSessionControlBytes) {
            broken = "the agent sent an oversized control message";
        } else if (decoded.frame->kind == StreamKind::SessionControl &&
                   (control = controlOf(decoded.frame->payload)) && (*control)["type"] == "closed") {
            // Only the server says a session ended (with session.closed the agent reports it to the server).
            ++m_violations;
            return;
        } else if (decoded.frame->kind == StreamKind::Window) {
            const auto increment = protocol::decodeWindowIncrement(decoded.frame->payload);
            if (!increment || *increment < protocol::kMinWindowIncrement ||
                channel->toAgentGranted + *increment - channel->toAgentUsed >
                    protocol::initialWindow(channel->kind))
                broken = "the agent granted more credit than allowed";
            else
                channel->toAgentGranted += *increment;
        } else {
            const auto cost = decoded.frame->payload.size() + protocol::kFrameCost;
            if (channel->toConsoleUsed + cost > channel->toConsoleGranted) {
                broken = "the agent sent beyond its credit";
            } else {
                channel->toConsoleUsed += cost;
                channel->bytesFromDevice += decoded.frame->payload.size();
                lane = laneOf(decoded.frame->kind);
            }
        }
    }
    if (!broken.empty()) {
        endBroken(channel, broken);
        return;
    }
    if (m_recorder && channel->kind == protocol::SessionKind::Terminal) {
        if (decoded.frame->kind == StreamKind::TerminalData)
            m_recorder->output(channel->sessionId, decoded.frame->payload);
        else if (decoded.frame->kind == StreamKind::SessionControl && control && (*control)["type"] == "echo")
            m_recorder->echo(channel->sessionId, !control->contains("on") || (*control)["on"] != false);
    }
    if (channel->recorded && decoded.frame->kind == StreamKind::DesktopVideo)
        m_desktopRecorder->picture(channel->sessionId, decoded.frame->payload);
    protocol::setStreamChannel(frame, protocol::kRelayChannel);
    m_door.sendStream(channel->console, std::move(frame), lane);
}

void SessionRelay::consoleGone(const AgentSession& console) {
    std::shared_ptr<Channel> channel;
    RelayReport report;
    {
        std::lock_guard lock(m_mutex);
        const auto it = m_byConsole.find(console.connection);
        if (it == m_byConsole.end())
            return;
        channel = it->second;
        report = detach(channel, RelayReport::Kind::Detached, "the console disconnected");
    }
    m_door.reply(channel->agent,
                 protocol::encodeEnvelope(protocol::SessionDetach{channel->agentChannel}.encode()));
    m_report(report);
}

void SessionRelay::agentGone(const AgentSession& agent) {
    std::vector<std::pair<AgentSession, RelayReport>> gone;
    {
        std::lock_guard lock(m_mutex);
        m_nextChannel.erase(agent.connection);
        for (auto it = m_byAgent.lower_bound({agent.connection, 0});
             it != m_byAgent.end() && it->first.first == agent.connection;) {
            const auto channel = (it++)->second;
            gone.emplace_back(channel->console,
                              detach(channel, RelayReport::Kind::Detached, "the device disconnected"));
        }
    }
    for (const auto& [console, report] : gone) {
        m_door.closeDrained(console, protocol::kCloseDeviceGone,
                            "the device disconnected; the session resumes when it is back");
        m_report(report);
    }
}

void SessionRelay::agentClosed(const AgentSession& agent, const protocol::SessionClosed& closed) {
    std::shared_ptr<Channel> channel;
    RelayReport report;
    {
        std::lock_guard lock(m_mutex);
        const auto it = m_bySession.find(closed.sessionId);
        if (it != m_bySession.end() && it->second->agent.connection == agent.connection) {
            channel = it->second;
            report = detach(channel, RelayReport::Kind::Closed, closed.reason);
        } else {
            report.kind = RelayReport::Kind::Closed;
            report.sessionId = closed.sessionId;
            report.reason = closed.reason;
        }
        report.deviceId = agent.deviceId; // only a session of the agent's own device is closed by it
        report.exitCode = closed.exitCode;
    }
    if (m_recorder && channel) // a detached one's recording ends when its record does (SessionService)
        m_recorder->end(closed.sessionId);
    if (channel) {
        m_door.sendStream(channel->console, endedFrame(closed.reason, closed.exitCode), Lane::Priority);
        m_door.closeDrained(channel->console, protocol::kCloseNormal, "the session ended");
    }
    m_report(report);
}

bool SessionRelay::close(const std::string& sessionId, const std::string& reason) {
    std::shared_ptr<Channel> channel;
    RelayReport report;
    {
        std::lock_guard lock(m_mutex);
        const auto it = m_bySession.find(sessionId);
        if (it == m_bySession.end())
            return false;
        channel = it->second;
        report = detach(channel, RelayReport::Kind::Closed, reason);
    }
    if (m_recorder)
        m_recorder->end(sessionId);
    m_door.reply(channel->agent,
                 protocol::encodeEnvelope(protocol::SessionClose{sessionId, reason}.encode()));
    m_door.sendStream(channel->console, endedFrame(reason, std::nullopt), Lane::Priority);
    m_door.closeDrained(channel->console, protocol::kCloseNormal, "the session was closed");
    m_report(report);
    return true;
}

std::size_t SessionRelay::channels() const {
    std::lock_guard lock(m_mutex);
    return m_byConsole.size();
}

std::vector<std::string> SessionRelay::sessionIds() const {
    std::lock_guard lock(m_mutex);
    std::vector<std::string> ids;
    ids.reserve(m_bySession.size());
    for (const auto& [id, channel] : m_bySession)
        ids.push_back(id);
    return ids;
}

std::uint64_t SessionRelay::violations() const {
    std::lock_guard lock(m_mutex);
    return m_violations;
}

} // namespace breeze::server
