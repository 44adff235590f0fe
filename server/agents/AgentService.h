#pragma once

#include "agents/AgentDataFeed.h"
#include "agents/AgentDirectory.h"
#include "agents/AgentStreams.h"
#include "agents/MetricsWriter.h"
#include "gateway/AgentSessionHandler.h"
#include "gateway/StrandPool.h"
#include "protocol/Envelope.h"

#include <atomic>
#include <functional>

namespace breeze::server {

class FrontDoor;
class ScopedTransaction;
struct ServerContext;
struct SystemAccess;

// Everything the server does for connected agents: admission by device credential, hello, heartbeats,
// inventory and command updates, command delivery, presence. Parsing and database work run on a StrandPool
// keyed by device, so one agent's messages are handled in order, agents take turns, and the event loops never
// wait for PostgreSQL or parse JSON.
class AgentService : public AgentSessionHandler, public AgentDirectory {
public:
    AgentService(ServerContext& server, std::size_t workers);
    ~AgentService() override;

    void attach(FrontDoor& gateway) { m_gateway = &gateway; }
    // Live sessions (before the gateway starts).
    void attachStreams(AgentStreams& streams) { m_streams = &streams; }
    void stop();

    // AgentSessionHandler
    void admit(const std::string& credential, const std::string& address,
               std::function<void(AgentAdmission)> done) override;
    void opened(const AgentSession& session) override;
    bool received(const AgentSession& session, std::string& payload, const MessageTicket& ticket) override;
    bool streamReceived(const AgentSession& session, std::string& frame) override;
    void closed(const AgentSession& session, const std::string& reason) override;

    // AgentDirectory
    bool connected(const std::string& deviceId) const override;
    void commandsQueued(const std::string& deviceId) override;
    void cancelRequested(const std::string& deviceId, const std::string& commandId) override;
    void revoked(const std::string& deviceId) override;
    void relocated(const std::string& deviceId) override;
    void rotateCredential(const std::string& deviceId) override;

    MetricsWriter& metrics() { return m_metrics; }
    // What agents store, for features that watch it (the console's live charts, alerts).
    AgentDataFeed& feed() { return m_feed; }
    std::uint64_t messagesHandled() const { return m_messages.load(); }

private:
    void handle(const AgentSession& session, const std::string& payload, const MessageTicket& ticket);
    void hello(const AgentSession& session, const protocol::Envelope& envelope);
    void heartbeat(const AgentSession& session, const protocol::Envelope& envelope,
                   const MessageTicket& ticket);
    void deliver(const AgentSession& session, bool inFlight);
    // Sends a new credential when one was asked for or the current one is older than the rotation period.
    void rotateIfDue(const AgentSession& session, bool requested);
    void credentialSaved(const AgentSession& session, const protocol::Envelope& envelope);
    void commandUpdate(const AgentSession& session, const protocol::Envelope& envelope);
    // Runs `store` in its own transaction outside any tenant (the session already proved the device) and
    // acknowledges message `id` once it committed.
    void storeAndAcknowledge(const AgentSession& session, const std::string& id, SystemAccess access,
                             const std::function<void(ScopedTransaction&)>& store);
    void acknowledge(const AgentSession& session, const std::string& ref, bool ok,
                     const std::string& error = {});
    void sendError(const AgentSession& session, const std::string& code, const std::string& message,
                   const std::string& ref = {});

    ServerContext& m_server;
    FrontDoor* m_gateway = nullptr;
    AgentStreams* m_streams = nullptr;
    AgentDataFeed m_feed; // before the writers that publish to it
    StrandPool m_strands;
    StrandPool m_admissions; // credential checks, apart from the work of admitted agents
    MetricsWriter m_metrics;
    std::atomic<std::uint64_t> m_messages{0};
};

} // namespace breeze::server
