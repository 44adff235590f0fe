#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace breeze::server {

class ConnectionPool;

struct MaintenanceSettings {
    int metricsRetentionDays = 30;
    int rollupRetentionDays = 365;
    int offlineAfterSeconds = 210;
    std::chrono::seconds interval{30};
};

// The server's housekeeping for agent data, run every `interval` on its own thread: metric partitions ahead
// of time and old ones dropped (never a mass DELETE), hourly rollups of completed hours and of hours that got
// late samples, commands past their expiry, and devices that went silent without closing their connection.
class AgentMaintenance {
public:
    using SilentDevices = std::function<void(const std::vector<std::string>& deviceIds)>;

    AgentMaintenance(ConnectionPool& pool, MaintenanceSettings settings, SilentDevices onSilent);
    ~AgentMaintenance();

    void start();
    void stop();
    // One full pass now (tests and start-up).
    void runOnce();

    static void ensurePartitions(ConnectionPool& pool, int retentionDays, int rollupRetentionDays);

private:
    void run();
    void rollUp();

    ConnectionPool& m_pool;
    MaintenanceSettings m_settings;
    SilentDevices m_onSilent;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::thread m_thread;
    std::string m_lastRolledHour;
};

} // namespace breeze::server
