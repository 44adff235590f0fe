#pragma once

#include "gateway/AgentSession.h"
#include "protocol/SessionMessages.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace breeze::server {

class FrontDoor;
class DesktopRecorder;
class SessionRecorder;

// What the relay reports as sessions change, for their records (bytes are those since the last report).
struct RelayReport {
    enum class Kind { Detached, Closed };
    Kind kind = Kind::Detached;
    std::string sessionId;
    std::string deviceId; // when set, only a session of this device is affected (an agent's own report)
    std::string reason;
    std::optional<int> exitCode;
    std::uint64_t bytesToDevice = 0;
    std::uint64_t bytesFromDevice = 0;
};

// The pipe between a console's relay connection and a channel on the agent's connection. It never stores a
// frame: each is checked against its sender's credit, its channel rewritten, and handed to the other side's
// event loop in its lane. Both directions are bounded by the credit the receivers grant, so a slow console
// slows the agent and nothing queues beyond one window per direction. Thread-safe: the event loops call the
// frame methods, the session service the others.
class SessionRelay {
public:
    struct Attachment {
        std::string sessionId;
        protocol::SessionKind kind = protocol::SessionKind::Terminal;
        protocol::SessionOpen open; // what the agent is told (channel filled in by attach)
    };

    // `recorder`: terminal sessions are recorded through it (none: not recorded); `desktopRecorder`: desktop
    // sessions whose grant says so.
    SessionRelay(FrontDoor& door, std::function<void(const RelayReport&)> report,
                 SessionRecorder* recorder = nullptr, DesktopRecorder* desktopRecorder = nullptr);

    // Joins the console connection to the session on the device's agent connection (a new channel), and sends
    // the agent session.open. False when the device's agent is not connected to this node. A console already
    // attached to the same session is closed (the newer attachment wins).
    bool attach(const AgentSession& console, Attachment attachment);
    // Event loops: a binary frame from either side. Frames for no open channel are dropped.
    void fromConsole(const AgentSession& console, std::string& frame);
    void fromAgent(const AgentSession& agent, std::string& frame);
    // The console's connection ended: the agent keeps the session, detached.
    void consoleGone(const AgentSession& console);
    // The agent's connection ended: its consoles are closed (they attach again once it is back).
    void agentGone(const AgentSession& agent);
    // The agent ended a session: its console gets the reason and is closed once it has the last output.
    void agentClosed(const AgentSession& agent, const protocol::SessionClosed& closed);
    // Ends a session from the server's side (closed through the API, or by a policy): the agent is told, and
    // the console. False when this node does not hold it.
    bool close(const std::string& sessionId, const std::string& reason);
    std::size_t channels() const;
    std::vector<std::string> sessionIds() const;
    // Frames dropped because they broke their credit or named no channel (diagnostics, tests).
    std::uint64_t violations() const;

private:
    struct Channel {
        std::string sessionId;
        protocol::SessionKind kind;
        bool viewOnly = false; // a desktop the console may watch: input from it breaks the session
        bool recorded = false; // a desktop whose pictures go to the desktop recorder
        AgentSession agent;
        std::uint32_t agentChannel = 0;
        AgentSession console;
        // Credit each way: what the receiver granted in total, what the sender used.
        std::uint64_t toConsoleGranted = 0, toConsoleUsed = 0;
        std::uint64_t toAgentGranted = 0, toAgentUsed = 0;
        std::uint64_t bytesToDevice = 0, bytesFromDevice = 0;
    };
    using ChannelKey = std::pair<std::uint64_t, std::uint32_t>; // agent connection, channel

    // With m_mutex held: forgets the channel and returns what it owes the report.
    RelayReport detach(const std::shared_ptr<Channel>& channel, RelayReport::Kind kind, std::string reason);
    void endBroken(const std::shared_ptr<Channel>& channel, const std::string& why);

    FrontDoor& m_door;
    std::function<void(const RelayReport&)> m_report;
    SessionRecorder* m_recorder;
    DesktopRecorder* m_desktopRecorder;
    mutable std::mutex m_mutex;
    std::map<ChannelKey, std::shared_ptr<Channel>> m_byAgent;
    std::unordered_map<std::uint64_t, std::shared_ptr<Channel>> m_byConsole; // console connection number
    std::unordered_map<std::string, std::shared_ptr<Channel>> m_bySession;
    std::unordered_map<std::uint64_t, std::uint32_t> m_nextChannel; // agent connection -> last channel used
    std::uint64_t m_violations = 0;
};

} // namespace breeze::server
