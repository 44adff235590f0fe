#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace breeze::server {

// Worker threads for the database side of agent traffic. Work for one key (a device) always runs on the same
// thread, so one agent's messages are handled in the order they arrived while different agents proceed in
// parallel. Queues are bounded: a full one refuses work, and the gateway then pushes back on that agent.
class StrandPool {
public:
    StrandPool(std::size_t threads, std::size_t maxQueuedPerThread);
    ~StrandPool();

    bool post(const std::string& key, std::function<void()> task);
    std::size_t queued() const;
    void stop();

private:
    struct Strand {
        std::mutex mutex;
        std::condition_variable wake;
        std::deque<std::function<void()>> tasks;
        std::thread thread;
    };
    void run(Strand& strand);

    std::vector<std::unique_ptr<Strand>> m_strands;
    std::size_t m_maxQueued;
    bool m_stopping = false;
};

} // namespace breeze::server
