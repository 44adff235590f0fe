#include "gateway/StrandPool.h"

#include "ops/JsonLogger.h"

namespace breeze::server {

StrandPool::StrandPool(std::size_t threads, std::size_t maxQueuedPerThread)
    : m_maxQueued(maxQueuedPerThread) {
    for (std::size_t i = 0; i < threads; ++i)
        m_strands.push_back(std::make_unique<Strand>());
    for (auto& strand : m_strands)
        strand->thread = std::thread([this, s = strand.get()] { run(*s); });
}

StrandPool::~StrandPool() {
    stop();
}

void StrandPool::stop() {
    for (auto& strand : m_strands) {
        std::lock_guard lock(strand->mutex);
        m_stopping = true;
        strand->wake.notify_all();
    }
    for (auto& strand : m_strands)
        if (strand->thread.joinable())
            strand->thread.join();
}

bool StrandPool::post(const std::string& key, std::function<void()> task) {
    Strand& strand = *m_strands[std::hash<std::string>{}(key) % m_strands.size()];
    std::lock_guard lock(strand.mutex);
    if (m_stopping || strand.tasks.size() >= m_maxQueued)
        return false;
    strand.tasks.push_back(std::move(task));
    strand.wake.notify_one();
    return true;
}

std::size_t StrandPool::queued() const {
    std::size_t total = 0;
    for (const auto& strand : m_strands) {
        std::lock_guard lock(strand->mutex);
        total += strand->tasks.size();
    }
    return total;
}

void StrandPool::run(Strand& strand) {
    for (;;) {
        std::function<void()> task;
        {
            std::unique_lock lock(strand.mutex);
            strand.wake.wait(lock, [&] { return m_stopping || !strand.tasks.empty(); });
            if (strand.tasks.empty())
                return;
            task = std::move(strand.tasks.front());
            strand.tasks.pop_front();
        }
        try {
            task();
        } catch (const std::exception& error) {
            logger().error("agent task failed", {{"error", error.what()}});
        }
    }
}

} // namespace breeze::server
