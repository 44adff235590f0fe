#pragma once

#include "gateway/AgentSession.h"
#include "protocol/AgentMessages.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace breeze::server {

class ConnectionPool;

// Writes heartbeats in batches: COPY into a per-connection staging table, then one INSERT ... SELECT into the
// partitioned device_metrics (so row-level security still applies; PostgreSQL refuses COPY FROM into a table
// with forced RLS). Each sample's callback learns whether it was stored, which is when the agent gets its
// ack.
class MetricsWriter {
public:
    struct Sample {
        AgentSession session;
        protocol::Heartbeat heartbeat;
        std::function<void(bool stored)> done;
    };

    MetricsWriter(ConnectionPool& pool, std::size_t maxBatch, std::chrono::milliseconds maxDelay,
                  std::size_t maxQueued);
    ~MetricsWriter();

    // False when the queue is full (PostgreSQL is down or slow): the agent keeps the sample and resends.
    bool submit(Sample sample);
    void stop();
    // Told about every batch once it has committed (live charts); set before samples arrive.
    void setObserver(std::function<void(const std::deque<Sample>&)> observer) {
        m_observer = std::move(observer);
    }

    std::uint64_t stored() const { return m_stored.load(); }
    std::uint64_t batches() const { return m_batches.load(); }
    std::size_t queued() const;

private:
    void run();
    bool write(std::deque<Sample>& batch);

    ConnectionPool& m_pool;
    std::size_t m_maxBatch;
    std::chrono::milliseconds m_maxDelay;
    std::size_t m_maxQueued;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Sample> m_queue;
    bool m_stopping = false;
    std::function<void(const std::deque<Sample>&)> m_observer;
    std::thread m_thread;
    std::atomic<std::uint64_t> m_stored{0};
    std::atomic<std::uint64_t> m_batches{0};
};

} // namespace breeze::server
