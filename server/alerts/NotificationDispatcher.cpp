#include "alerts/NotificationDispatcher.h"

#include "alerts/MailSender.h"
#include "alerts/NotificationPayload.h"
#include "alerts/WebhookPoster.h"
#include "auth/SecretSealer.h"
#include "crypto/Digest.h"
#include "db/ConnectionPool.h"
#include "db/ScopedTransaction.h"
#include "encoding/Hex.h"
#include "ops/JsonLogger.h"

#include <openssl/ssl.h>
#include <random>

namespace breeze::server {

namespace {
using SteadyClock = std::chrono::steady_clock;
constexpr int kBatch = 8;

net::SslContextPtr trustingContext(const std::string& extraCaFile) {
    net::SslContextPtr context = net::makeClientSslContext("");
    if (!extraCaFile.empty() &&
        SSL_CTX_load_verify_locations(context.get(), extraCaFile.c_str(), nullptr) != 1)
        throw std::runtime_error("notifications.ca_file " + extraCaFile +
                                 " cannot be read as PEM certificates");
    return context;
}

long long unixSeconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}
} // namespace

NotificationDispatcher::NotificationDispatcher(ConnectionPool& pool, const SecretSealer& sealer,
                                               Settings settings)
    : m_pool(pool), m_sealer(sealer), m_settings(std::move(settings)),
      m_poster(std::make_unique<WebhookPoster>(trustingContext(m_settings.caFile), m_settings.destinations,
                                               m_settings.timeout)),
      m_mailer(std::make_unique<MailSender>(m_settings.caFile, m_settings.destinations, m_settings.timeout,
                                            m_settings.heloName)) {}

NotificationDispatcher::~NotificationDispatcher() {
    stop();
}

void NotificationDispatcher::start() {
    for (int i = 0; i < m_settings.workers; ++i)
        m_threads.emplace_back([this] { work(); });
}

void NotificationDispatcher::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    for (auto& thread : m_threads)
        if (thread.joinable())
            thread.join();
    m_threads.clear();
}

void NotificationDispatcher::wake() {
    {
        std::lock_guard lock(m_mutex);
        ++m_wakes;
    }
    m_wake.notify_all();
}

std::vector<std::string> NotificationDispatcher::openBreakers() {
    std::lock_guard lock(m_mutex);
    std::vector<std::string> open;
    const auto now = SteadyClock::now();
    for (auto it = m_breakers.begin(); it != m_breakers.end();) {
        if (it->second <= now) {
            it = m_breakers.erase(it);
        } else {
            open.push_back(it->first);
            ++it;
        }
    }
    return open;
}

std::chrono::seconds NotificationDispatcher::retryDelay(int attempts) const {
    thread_local std::mt19937 random{std::random_device{}()};
    double delay = static_cast<double>(m_settings.retryMin.count());
    for (int i = 1; i < attempts && delay < static_cast<double>(m_settings.retryMax.count()); ++i)
        delay *= 2;
    delay = std::min(delay, static_cast<double>(m_settings.retryMax.count()));
    // Jitter: receivers coming back are not met by every sender at once.
    delay *= std::uniform_real_distribution<double>(0.5, 1.0)(random);
    return std::chrono::seconds(std::max<long long>(1, static_cast<long long>(delay)));
}

void NotificationDispatcher::work() {
    long long seen = 0;
    while (true) {
        int claimed = 0;
        try {
            claimed = round();
        } catch (const std::exception& error) {
            logger().warning("the notification outbox cannot be read; retrying", {{"error", error.what()}});
        }
        std::unique_lock lock(m_mutex);
        if (m_stopping)
            return;
        if (claimed == kBatch)
            continue; // more may be due
        m_wake.wait_for(lock, m_settings.idlePoll, [this, seen] { return m_stopping || m_wakes != seen; });
        seen = m_wakes;
        if (m_stopping)
            return;
    }
}

int NotificationDispatcher::round() {
    std::vector<NotificationStore::Claimed> batch;
    {
        auto lease = m_pool.acquire();
        ScopedTransaction tx(*lease, SystemAccess{"the dispatcher claims due notifications"});
        batch = NotificationStore(tx).claim(kBatch, m_settings.lease, openBreakers());
        tx.commit();
    }
    for (const auto& notification : batch)
        deliver(notification);
    return static_cast<int>(batch.size());
}

DeliveryResult NotificationDispatcher::post(const NotificationStore::Claimed& notification) const {
    const long long sentAt = unixSeconds();
    const std::string body = NotificationPayload::body(notification, sentAt);
    std::map<std::string, std::string> headers;
    if (notification.channelKind == "webhook") {
        const auto secret = m_sealer.open(notification.sealedSecret);
        if (!secret)
            return {false, 0, "the channel's secret cannot be opened with this server's sealing key"};
        const std::string timestamp = std::to_string(sentAt);
        headers["X-Breeze-Timestamp"] = timestamp;
        headers["X-Breeze-Signature"] =
            "sha256=" + encoding::hexEncode(crypto::Digest::hmacSha256(*secret, timestamp + "." + body));
        headers["X-Breeze-Event"] = NotificationPayload::eventName(notification);
        headers["X-Breeze-Delivery"] = std::to_string(notification.id);
        return m_poster->post(notification.channelSettings.value("url", std::string()), body, headers);
    }
    // A Slack or Teams URL is the credential itself, and sealed like one.
    const auto url = m_sealer.open(notification.sealedSecret);
    if (!url)
        return {false, 0, "the channel's URL cannot be opened with this server's sealing key"};
    return m_poster->post(*url, body, headers);
}

DeliveryResult NotificationDispatcher::mail(const NotificationStore::Claimed& notification) const {
    if (!notification.smtp.is_object())
        return {false, 0,
                "no SMTP server is set for e-mail notifications (breeze-admin notifications smtp set)"};
    SmtpSettings server;
    server.host = notification.smtp.value("host", std::string());
    server.port = notification.smtp.value("port", 587);
    server.security = notification.smtp.value("security", std::string("starttls"));
    server.from = notification.smtp.value("from", std::string());
    if (notification.smtp["username"].is_string()) {
        server.username = notification.smtp["username"];
        const auto password = m_sealer.open(notification.smtp.value("password", std::string()));
        if (!password)
            return {false, 0, "the SMTP password cannot be opened with this server's sealing key"};
        server.password = *password;
    }
    MailSender::Mail mail;
    for (const auto& to : notification.channelSettings.value("to", nlohmann::json::array()))
        mail.to.push_back(to.get<std::string>());
    mail.subject = NotificationPayload::headline(notification);
    mail.body = NotificationPayload::text(notification);
    const std::string domain = server.from.substr(server.from.rfind('@') + 1);
    mail.headers["Message-ID"] = "<notification-" + std::to_string(notification.id) + "@" + domain + ">";
    if (notification.alert.is_object()) {
        // Mail programs thread an alert's notices together.
        const std::string thread =
            "<alert-" + notification.alert.value("id", std::string()) + "@" + domain + ">";
        mail.headers["References"] = thread;
        if (notification.kind != "firing")
            mail.headers["In-Reply-To"] = thread;
    }
    mail.headers["X-Breeze-Event"] = NotificationPayload::eventName(notification);
    mail.headers["X-Breeze-Delivery"] = std::to_string(notification.id);
    return m_mailer->send(server, mail);
}

void NotificationDispatcher::deliver(const NotificationStore::Claimed& notification) {
    bool held = false;
    {
        std::lock_guard lock(m_mutex);
        const auto breaker = m_breakers.find(notification.channelId);
        held = breaker != m_breakers.end() && breaker->second > SteadyClock::now();
    }
    if (held) {
        // Its channel failed earlier in this batch: it waits with the others rather than trying again now.
        auto lease = m_pool.acquire();
        ScopedTransaction tx(*lease, SystemAccess{"the dispatcher puts back a notification"});
        NotificationStore(tx).release(notification.id);
        tx.commit();
        return;
    }
    const DeliveryResult result =
        notification.channelKind == "email" ? mail(notification) : post(notification);

    auto lease = m_pool.acquire();
    ScopedTransaction tx(*lease, SystemAccess{"the dispatcher records a delivery"});
    NotificationStore store(tx);
    if (result.delivered) {
        store.sent(notification.id, result.detail);
        tx.commit();
        ++m_figures.sent;
        return;
    }
    const auto delay = retryDelay(notification.attempts);
    // A test says how the receiver answered, once; an alert's notice is retried for a long time.
    const bool giveUp = notification.kind == "test" ||
                        std::chrono::seconds(notification.ageSeconds) + delay > m_settings.giveUpAfter;
    store.failed(notification.id, result.detail, delay, giveUp);
    tx.commit();
    ++m_figures.failed;
    if (giveUp && notification.kind != "test") {
        ++m_figures.givenUp;
        logger().error("a notification was given up after retrying", {{"notification_id", notification.id},
                                                                      {"channel", notification.channelName},
                                                                      {"error", result.detail}});
    } else {
        logger().warning("a notification could not be delivered; it will be retried",
                         {{"notification_id", notification.id},
                          {"channel", notification.channelName},
                          {"attempt", notification.attempts},
                          {"retry_in_seconds", delay.count()},
                          {"error", result.detail}});
    }
    if (notification.kind != "test") {
        std::lock_guard lock(m_mutex);
        m_breakers[notification.channelId] =
            SteadyClock::now() + std::min<std::chrono::seconds>(delay, std::chrono::seconds(60));
    }
}

} // namespace breeze::server
