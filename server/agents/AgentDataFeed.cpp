#include "agents/AgentDataFeed.h"

namespace breeze::server {

namespace {
// The watchers as they are now, so none is called under the lock (a watcher may take locks of its own).
template <typename Watcher>
std::vector<Watcher> copyOf(std::mutex& mutex, const std::vector<Watcher>& watchers) {
    std::lock_guard lock(mutex);
    return watchers;
}
} // namespace

void AgentDataFeed::watchHeartbeats(HeartbeatWatcher watcher) {
    std::lock_guard lock(m_mutex);
    m_heartbeats.push_back(std::move(watcher));
}

void AgentDataFeed::watchResults(ResultWatcher watcher) {
    std::lock_guard lock(m_mutex);
    m_results.push_back(std::move(watcher));
}

void AgentDataFeed::watchInventory(InventoryWatcher watcher) {
    std::lock_guard lock(m_mutex);
    m_inventory.push_back(std::move(watcher));
}

void AgentDataFeed::heartbeatsStored(const std::vector<Heartbeat>& batch) const {
    if (batch.empty())
        return;
    for (const auto& watcher : copyOf(m_mutex, m_heartbeats))
        watcher(batch);
}

void AgentDataFeed::resultStored(const AgentSession& session, const protocol::CommandUpdate& update) const {
    for (const auto& watcher : copyOf(m_mutex, m_results))
        watcher(session, update);
}

void AgentDataFeed::inventoryStored(const AgentSession& session,
                                    const protocol::InventoryReport& report) const {
    for (const auto& watcher : copyOf(m_mutex, m_inventory))
        watcher(session, report);
}

} // namespace breeze::server
