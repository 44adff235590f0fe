#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace breeze::server {

class ScopedTransaction;

// The outbox's SQL: claiming due notifications (in order per alert and channel, skipping those another node
// holds), and recording each attempt's outcome.
class NotificationStore {
public:
    explicit NotificationStore(ScopedTransaction& tx) : m_tx(tx) {}

    struct Claimed {
        long long id = 0;
        std::string kind; // firing, resolved, test
        nlohmann::json detail;
        int attempts = 0; // including this one
        long long ageSeconds = 0;
        std::string channelId;
        std::string channelKind;
        std::string channelName;
        nlohmann::json channelSettings;
        std::string sealedSecret;
        nlohmann::json smtp;  // e-mail: the partner's SMTP server (its password sealed); null when not set
        nlohmann::json alert; // null for a test
    };
    // Up to `limit` due notifications, leased for `lease`, none of the channels in `skipChannels` (open
    // breakers). A notification waits while an earlier one of its alert and channel is unsent.
    std::vector<Claimed> claim(int limit, std::chrono::seconds lease,
                               const std::vector<std::string>& skipChannels);
    void sent(long long id, const std::string& response);
    void failed(long long id, const std::string& error, std::chrono::seconds retryIn, bool giveUp);
    // Back to pending without counting an attempt (its channel's breaker opened meanwhile).
    void release(long long id);

    // A test notification through a channel; its id.
    long long queueTest(const std::string& channelId, const nlohmann::json& detail);
    // state, response and last_error of one notification the transaction can see.
    std::optional<nlohmann::json> outcome(long long id);

private:
    ScopedTransaction& m_tx;
};

} // namespace breeze::server
