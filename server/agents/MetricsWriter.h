#pragma once

#include "gateway/AgentSession.h"
#include "protocol/AgentMessages.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace breeze::server {

class AgentDataFeed;
class ConnectionPool;

// Writes heartbeats in batches: COPY into a per-connection staging table, then one INSERT ... SELECT into the
// partitioned device_metrics (so row-level security still applies; PostgreSQL refuses COPY FROM into a table
// with forced RLS). Each sample's callback learns whether it was stored, which is when the agent gets its
// ack.
class MetricsWriter {
public:
    // Stored; refused for good (PostgreSQL rejects the sample's own data: the agent should drop it); or not
    // stored now (PostgreSQL is away: the agent keeps it and sends it again).
    enum class Outcome { Stored, Refused, Later };

    struct Sample {
        AgentSession session;
        protocol::Heartbeat heartbeat;
        std::function<void(Outcome outcome, const std::string& error)> done;
    };

    MetricsWriter(ConnectionPool& pool, std::size_t maxBatch, std::chrono::milliseconds maxDelay,
                  std::size_t maxQueued);
    ~MetricsWriter();

    // False when the queue is full (PostgreSQL is down or slow): the agent keeps the sample and resends.
    bool submit(Sample sample);
    void stop();
    // Every batch goes to `feed` once it has committed; set before samples arrive.
    void publishTo(const AgentDataFeed& feed) { m_feed = &feed; }

    std::uint64_t stored() const { return m_stored.load(); }
    std::uint64_t batches() const { return m_batches.load(); }
    std::size_t queued() const;

private:
    void run();
    // Writes batch[first, last) in one transaction; a batch refused for its data is split and each half
    // written again, so one bad sample costs only its own agent. Settles every sample in the range.
    void writeSplitting(const std::deque<Sample>& batch, std::size_t first, std::size_t last,
                        std::vector<Outcome>& outcomes);
    Outcome write(const std::deque<Sample>& batch, std::size_t first, std::size_t last, std::string& error);

    ConnectionPool& m_pool;
    std::size_t m_maxBatch;
    std::chrono::milliseconds m_maxDelay;
    std::size_t m_maxQueued;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Sample> m_queue;
    bool m_stopping = false;
    const AgentDataFeed* m_feed = nullptr;
    std::thread m_thread;
    std::atomic<std::uint64_t> m_stored{0};
    std::atomic<std::uint64_t> m_batches{0};
};

} // namespace breeze::server
