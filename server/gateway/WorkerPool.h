#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace breeze::server {

// A fixed set of threads taking tasks from one bounded queue: the front door's REST handlers run here, never
// on the event loops, and never more at once than there are threads. A full queue refuses work at once (the
// caller answers 503) rather than letting it pile up.
class WorkerPool {
public:
    WorkerPool(std::size_t threads, std::size_t maxQueued);
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    bool trySubmit(std::function<void()> task);
    // Tasks queued or running.
    std::size_t pending() const;
    // Waits until nothing is queued or running, or until `deadline`; true when idle.
    bool waitIdle(std::chrono::steady_clock::time_point deadline);
    void stop();

private:
    void run();

    std::size_t m_maxQueued;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_idle;
    std::deque<std::function<void()>> m_tasks;
    std::size_t m_running = 0;
    bool m_stopping = false;
    std::vector<std::thread> m_threads;
};

} // namespace breeze::server
