#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace breeze::server {

struct ServerContext;

// Makes the runs of script schedules when their time comes (checked every few seconds, on its own thread).
// A due schedule is claimed and moved on to its next time in one transaction, so with several servers each
// time runs once; then its stored request is replayed as POST /api/v1/scripts/{id}/runs with the authority
// its maker has now (a disabled maker, a lost permission or a deleted device gives a recorded refusal, not a
// run). A time missed while no server ran is run once when one comes back, not once per missed time. A
// server stopping between the claim and the run loses that one time (at most once, never twice).
class ScriptScheduler {
public:
    ScriptScheduler(ServerContext& server, std::chrono::milliseconds interval);
    ~ScriptScheduler();

    void start();
    void stop();
    // Runs what is due now; returns how many schedules it ran (or tried to).
    int runOnce();

private:
    bool stopping();

    ServerContext& m_server;
    std::chrono::milliseconds m_interval;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace breeze::server
