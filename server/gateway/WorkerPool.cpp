#include "gateway/WorkerPool.h"

#include "ops/JsonLogger.h"

namespace breeze::server {

WorkerPool::WorkerPool(std::size_t threads, std::size_t maxQueued) : m_maxQueued(maxQueued) {
    for (std::size_t i = 0; i < std::max<std::size_t>(1, threads); ++i)
        m_threads.emplace_back([this] { run(); });
}

WorkerPool::~WorkerPool() {
    stop();
}

bool WorkerPool::trySubmit(std::function<void()> task) {
    std::lock_guard lock(m_mutex);
    if (m_stopping || m_tasks.size() >= m_maxQueued)
        return false;
    m_tasks.push_back(std::move(task));
    m_wake.notify_one();
    return true;
}

std::size_t WorkerPool::pending() const {
    std::lock_guard lock(m_mutex);
    return m_tasks.size() + m_running;
}

bool WorkerPool::waitIdle(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(m_mutex);
    return m_idle.wait_until(lock, deadline, [this] { return m_tasks.empty() && m_running == 0; });
}

void WorkerPool::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
        m_wake.notify_all();
    }
    for (auto& thread : m_threads)
        if (thread.joinable())
            thread.join();
}

void WorkerPool::run() {
    for (;;) {
        std::function<void()> task;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || !m_tasks.empty(); });
            if (m_tasks.empty())
                return;
            task = std::move(m_tasks.front());
            m_tasks.pop_front();
            ++m_running;
        }
        try {
            task();
        } catch (const std::exception& error) {
            logger().error("worker task failed", {{"error", error.what()}});
        }
        std::lock_guard lock(m_mutex);
        --m_running;
        if (m_tasks.empty() && m_running == 0)
            m_idle.notify_all();
    }
}

} // namespace breeze::server
