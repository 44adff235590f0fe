#include "events/EventHub.h"

#include "ops/JsonLogger.h"

#include <pqxx/pqxx>

namespace breeze::server {

namespace {
class Receiver : public pqxx::notification_receiver {
public:
    Receiver(pqxx::connection_base& connection, std::function<void(const std::string&)> handle)
        : pqxx::notification_receiver(connection, "breeze_events"), m_handle(std::move(handle)) {}
    void operator()(const std::string& payload, int) override { m_handle(payload); }

private:
    std::function<void(const std::string&)> m_handle;
};
} // namespace

EventHub::EventHub(std::string databaseUrl) : m_databaseUrl(std::move(databaseUrl)) {}

EventHub::~EventHub() {
    stop();
}

void EventHub::start() {
    m_thread = std::thread([this] { run(); });
}

void EventHub::stop() {
    m_stopping = true;
    if (m_thread.joinable())
        m_thread.join();
}

int EventHub::subscribe(Subscriber subscriber) {
    std::lock_guard lock(m_mutex);
    m_subscribers[++m_nextId] = std::move(subscriber);
    return m_nextId;
}

void EventHub::unsubscribe(int id) {
    std::lock_guard lock(m_mutex);
    m_subscribers.erase(id);
}

void EventHub::publish(const nlohmann::json& event) {
    std::lock_guard lock(m_mutex);
    for (const auto& [id, subscriber] : m_subscribers) {
        try {
            subscriber(event);
        } catch (const std::exception& error) {
            logger().warning("event subscriber failed", {{"error", error.what()}});
        }
    }
}

void EventHub::run() {
    bool first = true;
    while (!m_stopping) {
        try {
            pqxx::connection connection(m_databaseUrl);
            Receiver receiver(connection, [this](const std::string& payload) {
                const auto event = nlohmann::json::parse(payload, nullptr, false);
                if (event.is_object())
                    publish(event);
            });
            m_listening = true;
            if (!first)
                publish({{"kind", "resync"}});
            first = false;
            while (!m_stopping)
                connection.await_notification(0, 250'000);
        } catch (const std::exception& error) {
            if (m_listening.exchange(false))
                logger().warning("lost the event channel; reconnecting", {{"error", error.what()}});
        }
        m_listening = false;
        for (int i = 0; i < 10 && !m_stopping; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

} // namespace breeze::server
