#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace breeze::server {

// Worker threads for the database side of WebSocket traffic. Each key (a device, a console session) has its
// own queue: its tasks run one at a time and in the order they were posted, and keys take turns, one task
// each, so one busy agent holds at most one thread and waits behind every other agent's next message instead
// of delaying them. The gateway bounds what one key may queue (its message window); the pool bounds the
// total, and a full pool refuses work that can wait (the gateway then holds it and stops reading).
class StrandPool {
public:
    StrandPool(std::size_t threads, std::size_t maxQueued);
    ~StrandPool();
    StrandPool(const StrandPool&) = delete;
    StrandPool& operator=(const StrandPool&) = delete;

    enum class Admission {
        IfRoom, // a message that can wait at the gateway: refused when the pool is full
        Always  // bookkeeping that must happen (a session closed): refused only once stopped
    };
    bool post(const std::string& key, std::function<void()> task, Admission admission = Admission::IfRoom);
    bool hasRoom() const;
    std::size_t queued() const;
    std::size_t threads() const { return m_threads.size(); }
    void stop();

private:
    struct KeyQueue {
        std::deque<std::function<void()>> tasks;
        bool running = false; // a thread is running one of its tasks
    };
    void run();

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::unordered_map<std::string, KeyQueue> m_queues;
    std::deque<std::string> m_ready; // keys with tasks and no running task, in turn order
    std::size_t m_queued = 0;
    std::size_t m_maxQueued;
    bool m_stopping = false;
    std::vector<std::thread> m_threads;
};

} // namespace breeze::server
