#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace breeze::server {

class AgentDirectory;
class ConnectionPool;

// Queues scheduled patch deployments when their time comes (checked every few seconds, on its own thread);
// several servers share the work through row locks (SKIP LOCKED), so a deployment is queued once.
class PatchScheduler {
public:
    PatchScheduler(ConnectionPool& pool, AgentDirectory* agents, std::chrono::milliseconds interval);
    ~PatchScheduler();

    void start();
    void stop();
    // Queues what is due now; returns how many deployments it queued.
    int runOnce();

private:
    ConnectionPool& m_pool;
    AgentDirectory* m_agents;
    std::chrono::milliseconds m_interval;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace breeze::server
