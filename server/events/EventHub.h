#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

namespace breeze::server {

// Device events as they commit, from every server node: one connection LISTENs on the breeze_events channel
// (migrations/0005) and hands each event to the subscribers. When that connection had to be re-made
// (PostgreSQL restarted), events may have been missed, so subscribers get {"kind":"resync"} and reload what
// they show.
class EventHub {
public:
    using Subscriber = std::function<void(const nlohmann::json& event)>;

    explicit EventHub(std::string databaseUrl);
    ~EventHub();

    void start();
    void stop();
    int subscribe(Subscriber subscriber);
    void unsubscribe(int id);
    // Whether the LISTEN connection is up (readiness, tests).
    bool listening() const { return m_listening.load(); }

private:
    void run();
    void publish(const nlohmann::json& event);

    std::string m_databaseUrl;
    std::atomic<bool> m_stopping{false};
    std::atomic<bool> m_listening{false};
    std::thread m_thread;
    std::mutex m_mutex;
    std::map<int, Subscriber> m_subscribers;
    int m_nextId = 0;
};

} // namespace breeze::server
