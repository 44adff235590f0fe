#include "gateway/StrandPool.h"

#include "ops/JsonLogger.h"

namespace breeze::server {

StrandPool::StrandPool(std::size_t threads, std::size_t maxQueued) : m_maxQueued(maxQueued) {
    for (std::size_t i = 0; i < threads; ++i)
        m_threads.emplace_back([this] { run(); });
}

StrandPool::~StrandPool() {
    stop();
}

void StrandPool::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    for (auto& thread : m_threads)
        if (thread.joinable())
            thread.join();
}

bool StrandPool::post(const std::string& key, std::function<void()> task, Admission admission) {
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping || (admission == Admission::IfRoom && m_queued >= m_maxQueued))
            return false;
        KeyQueue& queue = m_queues[key];
        queue.tasks.push_back(std::move(task));
        ++m_queued;
        if (queue.running || queue.tasks.size() > 1)
            return true; // already running or waiting for its turn
        m_ready.push_back(key);
    }
    m_wake.notify_one();
    return true;
}

bool StrandPool::hasRoom() const {
    std::lock_guard lock(m_mutex);
    return !m_stopping && m_queued < m_maxQueued;
}

std::size_t StrandPool::queued() const {
    std::lock_guard lock(m_mutex);
    return m_queued;
}

void StrandPool::run() {
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [&] { return !m_ready.empty() || (m_stopping && m_queued == 0); });
        if (m_ready.empty())
            return; // stopping, and everything posted has run
        std::string key = std::move(m_ready.front());
        m_ready.pop_front();
        auto it = m_queues.find(key);
        std::function<void()> task = std::move(it->second.tasks.front());
        it->second.tasks.pop_front();
        it->second.running = true;
        --m_queued;
        lock.unlock();
        try {
            task();
        } catch (const std::exception& error) {
            logger().error("strand task failed", {{"error", error.what()}});
        }
        task = nullptr; // what it captured is released outside the lock
        lock.lock();
        it = m_queues.find(key);
        it->second.running = false;
        if (it->second.tasks.empty()) {
            m_queues.erase(it);
            if (m_stopping && m_queued == 0)
                m_wake.notify_all(); // the others wait for this last task before they end
        } else {
            m_ready.push_back(std::move(key)); // its next task waits for every other key's turn
            m_wake.notify_one();
        }
    }
}

} // namespace breeze::server
