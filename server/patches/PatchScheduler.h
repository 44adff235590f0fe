#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace breeze::server {

class AgentDirectory;
class ConnectionPool;

// Queues scheduled patch deployments when their time comes (checked every few seconds, on its own thread);
// several servers share the work through row locks (SKIP LOCKED), so a deployment is queued once.
class PatchScheduler {
public:
    PatchScheduler(ConnectionPool& pool, AgentDirectory* agents, std::chrono::milliseconds interval,
                   std::chrono::seconds snapshotEvery);
    ~PatchScheduler();

    void start();
    void stop();
    // Queues what is due now; returns how many deployments it queued. Takes the day's compliance snapshot
    // when the last one is `snapshotEvery` old.
    int runOnce();
    // Deployments for every site whose policy's maintenance window is open now (once per window), and scans
    // for devices whose last scan is older than their policy asks.
    void openWindows(std::vector<std::string>& queuedDevices);
    // Today's compliance figures for every site (UTC day), replacing the earlier ones of today.
    void snapshotCompliance();

private:
    ConnectionPool& m_pool;
    AgentDirectory* m_agents;
    std::chrono::milliseconds m_interval;
    std::chrono::seconds m_snapshotEvery;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::thread m_thread;
    std::optional<std::chrono::steady_clock::time_point> m_lastSnapshot;
};

} // namespace breeze::server
