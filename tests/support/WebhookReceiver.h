#pragma once

#include <QString>
#include <QTemporaryDir>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

class QThread;

namespace breeze::test {

// A real HTTPS receiver for notifications, standing in for a customer's webhook endpoint (and for Slack's and
// Teams' clouds, which cannot exist here): TLS with a certificate from its own CA, HTTP/1.1 requests read in
// full, every X-Breeze-Signature checked against the secret (a notice that fails the check is refused). It
// can be told to refuse (503) or to drop connections unanswered, as a receiver in an outage does. It serves
// on a thread of its own, so it answers while the test waits on a blocking call (a "send test" waits for the
// receiver's answer).
class WebhookReceiver {
public:
    enum class Mode { Accept, Refuse, Drop };
    struct Delivery {
        std::string path;
        nlohmann::json body;
        std::string rawBody;
        std::map<std::string, std::string> headers; // names in lower case
        bool signatureValid = false;                // when a secret is set
        bool answered = false;                      // 2xx sent back
    };

    // `secret` checks signatures ("" for Slack/Teams stand-ins, which send none).
    explicit WebhookReceiver(std::string secret = {});
    ~WebhookReceiver();
    WebhookReceiver(const WebhookReceiver&) = delete;
    WebhookReceiver& operator=(const WebhookReceiver&) = delete;

    std::string url(const std::string& path = "/hook") const;
    // The CA's certificate (PEM file) the server must trust for this receiver.
    QString caFile() const;
    void setMode(Mode mode) { m_mode = mode; }
    std::vector<Delivery> deliveries() const;
    // Deliveries answered with 2xx whose event is `event` (alert.firing, alert.resolved, test).
    std::vector<Delivery> accepted(const std::string& event) const;
    int attempts() const { return m_attempts; }

    // For the serving thread.
    Mode mode() const { return m_mode; }
    void record(Delivery delivery);
    const std::string& secret() const { return m_secret; }

private:
    std::string m_secret;
    QTemporaryDir m_dir;
    std::atomic<Mode> m_mode{Mode::Accept};
    std::atomic<int> m_attempts{0};
    mutable std::mutex m_mutex;
    std::vector<Delivery> m_deliveries;
    int m_port = 0;
    std::unique_ptr<QThread> m_thread;
};

} // namespace breeze::test
