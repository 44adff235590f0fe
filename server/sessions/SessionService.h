#pragma once

#include "agents/AgentStreams.h"
#include "gateway/AgentSessionHandler.h"
#include "gateway/StrandPool.h"
#include "sessions/DesktopRecorder.h"
#include "sessions/SessionRecorder.h"
#include "sessions/SessionRelay.h"

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace breeze::server {

class EventHub;
class FrontDoor;
struct ServerContext;

// Live sessions on this node: the relay endpoint consoles attach to (/api/v1/relay/ws, with the one-use token
// the session API gave them), the agents' side of the relay, and the session records as the relay reports
// attachments, detachments and ends (bytes each way, the audit log). Sessions closed through the API on any
// node reach the node relaying them through the EventHub.
class SessionService : public AgentSessionHandler, public AgentStreams {
public:
    SessionService(ServerContext& server, FrontDoor& door, EventHub& events);
    ~SessionService() override;

    void start();
    void stop();
    const SessionRelay& relay() const { return m_relay; }

    // AgentSessionHandler: consoles on /api/v1/relay/ws
    void admit(const std::string& credential, const std::string& address,
               std::function<void(AgentAdmission)> done) override;
    void opened(const AgentSession& session) override;
    void abandoned(const AgentSession& session) override;
    bool received(const AgentSession& session, std::string& payload, const MessageTicket& ticket) override;
    bool streamReceived(const AgentSession& session, std::string& frame) override;
    void closed(const AgentSession& session, const std::string& reason) override;

    // AgentStreams
    void fromAgent(const AgentSession& agent, std::string& frame) override {
        m_relay.fromAgent(agent, frame);
    }
    void agentClosed(const AgentSession& agent, const protocol::SessionClosed& closed) override;
    void agentGone(const AgentSession& agent) override { m_relay.agentGone(agent); }

private:
    void record(const RelayReport& report);
    void closeRequested(const nlohmann::json& event);
    void sweepLoop();

    ServerContext& m_server;
    FrontDoor& m_door;
    EventHub& m_events;
    SessionRecorder m_recorder; // before the relay that hands it what passes
    DesktopRecorder m_desktopRecorder;
    SessionRelay m_relay;
    StrandPool m_workers; // admissions and records, in order per session
    std::mutex m_mutex;
    std::map<std::string, SessionRelay::Attachment> m_admitted; // connection key -> what it attaches to
    int m_subscription = -1;
    std::thread m_sweeper;
    std::condition_variable m_wake;
    bool m_stopping = false;
};

} // namespace breeze::server
