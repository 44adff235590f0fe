#pragma once

#include "agents/AgentDataFeed.h"
#include "auth/AccessScope.h"
#include "gateway/AgentSessionHandler.h"
#include "gateway/StrandPool.h"
#include "protocol/Envelope.h"

#include <chrono>
#include <map>
#include <mutex>
#include <set>

namespace breeze::server {

class FrontDoor;
class EventHub;
struct ServerContext;

// The console endpoint (/api/v1/console/ws) on the gateway. A console signs in with its access token, then
// receives every device event its user may see (device_events, through the EventHub) and the heartbeat
// samples of the devices it watches. Tokens are short-lived: the console sends {"type":"auth","token":...}
// with each fresh one, and a session whose token was not renewed in time is closed (4003) rather than trusted
// forever.
class ConsoleService : public AgentSessionHandler {
public:
    ConsoleService(ServerContext& server, EventHub& events);
    ~ConsoleService() override;

    void attach(FrontDoor& gateway) { m_gateway = &gateway; }
    void stop();
    // Heartbeats just stored (from the MetricsWriter): headline figures ("summaries") to every console that
    // may see the device, the whole sample ("metric") to consoles watching it.
    void metricsStored(const std::vector<AgentDataFeed::Heartbeat>& samples);
    std::size_t sessions() const;

    void admit(const std::string& credential, const std::string& address,
               std::function<void(AgentAdmission)> done) override;
    void opened(const AgentSession& session) override;
    void abandoned(const AgentSession& session) override;
    bool received(const AgentSession& session, std::string& payload, const MessageTicket& ticket) override;
    void closed(const AgentSession& session, const std::string& reason) override;

private:
    void handle(const AgentSession& session, const protocol::Envelope& envelope);
    struct Console {
        AgentSession session;
        std::string userId;
        std::string sessionId;
        AccessScope scope;
        std::chrono::steady_clock::time_point validUntil;
        std::set<std::string> watched;
    };
    struct Admitted {
        std::string userId;
        std::string sessionId;
        AccessScope scope;
    };

    void deliver(const nlohmann::json& event);
    static nlohmann::json fullestFilesystem(const std::vector<protocol::FilesystemUsage>& filesystems);
    static bool mayHear(const AccessScope& scope, const std::string& orgId, const std::string& siteId);
    void sendTo(const AgentSession& session, const nlohmann::json& fields, const std::string& type);
    std::optional<Admitted> authenticate(const std::string& token, const std::string& address,
                                         std::string& error, int& status);

    ServerContext& m_server;
    EventHub& m_events;
    int m_subscription = 0;
    FrontDoor* m_gateway = nullptr;
    StrandPool m_workers;
    mutable std::mutex m_mutex;
    static constexpr long kMaxConsolesPerUser = 32;
    std::map<std::string, Console> m_consoles;  // by session key
    std::map<std::string, Admitted> m_admitted; // admitted, not yet opened (by connection id)
};

} // namespace breeze::server
