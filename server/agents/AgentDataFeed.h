#pragma once

#include "gateway/AgentSession.h"
#include "protocol/AgentMessages.h"

#include <functional>
#include <mutex>
#include <vector>

namespace breeze::server {

// The one place where features learn what agents stored, after it has committed: batches of heartbeats,
// command results, inventory sections. The console's live charts watch heartbeats here, and so will alerts.
// Watchers are called on the thread that stored the data (a writer or a worker): they must be quick and must
// not block; one that needs time hands the work on.
class AgentDataFeed {
public:
    struct Heartbeat {
        const AgentSession& session;
        const protocol::Heartbeat& heartbeat;
    };
    using HeartbeatWatcher = std::function<void(const std::vector<Heartbeat>&)>;
    using ResultWatcher = std::function<void(const AgentSession&, const protocol::CommandUpdate&)>;
    using InventoryWatcher = std::function<void(const AgentSession&, const protocol::InventoryReport&)>;

    void watchHeartbeats(HeartbeatWatcher watcher);
    void watchResults(ResultWatcher watcher);
    void watchInventory(InventoryWatcher watcher);

    // For the stores, once their transaction has committed.
    void heartbeatsStored(const std::vector<Heartbeat>& batch) const;
    void resultStored(const AgentSession& session, const protocol::CommandUpdate& update) const;
    void inventoryStored(const AgentSession& session, const protocol::InventoryReport& report) const;

private:
    mutable std::mutex m_mutex;
    std::vector<HeartbeatWatcher> m_heartbeats;
    std::vector<ResultWatcher> m_results;
    std::vector<InventoryWatcher> m_inventory;
};

} // namespace breeze::server
