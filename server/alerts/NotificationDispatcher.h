#pragma once

#include "alerts/DeliveryResult.h"
#include "alerts/DestinationPolicy.h"
#include "alerts/NotificationStore.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace breeze::server {

class ConnectionPool;
class SecretSealer;
class MailSender;
class WebhookPoster;

// Sends what waits in the outbox. Each worker claims a few due notifications (leased, so a node that dies
// mid-send has them taken over when the lease ends), sends them and records the outcome; a failure is
// retried with jittered exponential back-off until it is sent or, after a long bound, marked given up, in
// the open. A failing channel's breaker holds its other notifications back for the back-off rather than
// hammering it. Delivery is at least once: a receiver may see a notification again (a send whose outcome
// was not recorded), always with the same id.
class NotificationDispatcher {
public:
    struct Settings {
        int workers = 2;
        std::chrono::seconds retryMin{5};
        std::chrono::seconds retryMax{900};
        std::chrono::seconds giveUpAfter{7 * 86400};
        std::chrono::seconds lease{60};
        std::chrono::milliseconds timeout{10'000};
        std::chrono::milliseconds idlePoll{1000};
        DestinationPolicy destinations;
        std::string caFile;              // trusted besides the system's store (receivers with a private CA)
        std::string heloName = "breeze"; // how this server names itself to SMTP servers
    };
    struct Figures {
        std::atomic<long long> sent{0};
        std::atomic<long long> failed{0};
        std::atomic<long long> givenUp{0};
    };

    NotificationDispatcher(ConnectionPool& pool, const SecretSealer& sealer, Settings settings);
    ~NotificationDispatcher();
    NotificationDispatcher(const NotificationDispatcher&) = delete;
    NotificationDispatcher& operator=(const NotificationDispatcher&) = delete;

    void start();
    void stop();
    // Something was queued: look now rather than at the next poll.
    void wake();
    const Figures& figures() const { return m_figures; }

private:
    void work();
    // Claims and sends one batch; returns how many were claimed.
    int round();
    void deliver(const NotificationStore::Claimed& notification);
    DeliveryResult post(const NotificationStore::Claimed& notification) const;
    DeliveryResult mail(const NotificationStore::Claimed& notification) const;
    std::chrono::seconds retryDelay(int attempts) const;
    std::vector<std::string> openBreakers();

    ConnectionPool& m_pool;
    const SecretSealer& m_sealer;
    Settings m_settings;
    std::unique_ptr<WebhookPoster> m_poster;
    std::unique_ptr<MailSender> m_mailer;
    Figures m_figures;

    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    long long m_wakes = 0;
    std::map<std::string, std::chrono::steady_clock::time_point> m_breakers; // channel -> closed again at
    std::vector<std::thread> m_threads;
};

} // namespace breeze::server
