#include "patches/PatchScheduler.h"

#include "agents/AgentDirectory.h"
#include "db/ConnectionPool.h"
#include "db/ScopedTransaction.h"
#include "ops/JsonLogger.h"
#include "patches/PatchDeployer.h"

#include <pqxx/pqxx>

namespace breeze::server {

PatchScheduler::PatchScheduler(ConnectionPool& pool, AgentDirectory* agents,
                               std::chrono::milliseconds interval)
    : m_pool(pool), m_agents(agents), m_interval(interval) {}

PatchScheduler::~PatchScheduler() {
    stop();
}

void PatchScheduler::start() {
    m_thread = std::thread([this] {
        while (true) {
            try {
                runOnce();
            } catch (const std::exception& error) {
                logger().warning("patch scheduling pass failed", {{"error", error.what()}});
            }
            std::unique_lock lock(m_mutex);
            if (m_wake.wait_for(lock, m_interval, [this] { return m_stopping; }))
                return;
        }
    });
}

void PatchScheduler::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

int PatchScheduler::runOnce() {
    std::vector<std::string> devices;
    int queued = 0;
    {
        auto lease = m_pool.acquire();
        ScopedTransaction tx(*lease, SystemAccess{"queue scheduled patch deployments"});
        const auto due =
            tx.sql().exec("SELECT id FROM patch_deployments WHERE status = 'scheduled' AND scheduled_at "
                          "<= now() ORDER BY scheduled_at LIMIT 20 FOR UPDATE SKIP LOCKED");
        for (const auto& row : due) {
            const auto summary = PatchDeployer::queue(tx, row[0].as<std::string>());
            for (const auto& item : summary["queued"])
                devices.push_back(item["device_id"]);
            ++queued;
        }
        tx.commit();
    }
    if (m_agents)
        for (const auto& device : devices)
            m_agents->commandsQueued(device);
    if (queued > 0)
        logger().info("scheduled patch deployments queued",
                      {{"deployments", queued}, {"devices", devices.size()}});
    return queued;
}

} // namespace breeze::server
