#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace breeze::server {

class ScopedTransaction;

// Notification channels in SQL. Secrets (a webhook's signing key, a Slack or Teams URL, which is itself the
// credential) are stored sealed and never shown.
class ChannelStore {
public:
    explicit ChannelStore(ScopedTransaction& tx) : m_tx(tx) {}

    struct NewChannel {
        std::string partnerId;
        std::optional<std::string> orgId;
        std::string name;
        std::string kind;
        nlohmann::json settings;
        std::optional<std::string> sealedSecret;
        std::string createdBy;
    };
    nlohmann::json insert(const NewChannel& channel);
    nlohmann::json list(const std::string& scopeSql);
    std::optional<nlohmann::json> find(const std::string& id, const std::string& scopeSql);
    bool nameTaken(const std::string& partnerId, const std::optional<std::string>& orgId,
                   const std::string& name);
    // Kept until what it still owes is sent; rules stop naming it.
    void remove(const std::string& id);
    // How many of `ids` are live channels the transaction sees that a rule of `orgId` (none: partner-wide)
    // may notify.
    long long usable(const std::vector<std::string>& ids, const std::string& partnerId,
                     const std::optional<std::string>& orgId);

private:
    ScopedTransaction& m_tx;
};

} // namespace breeze::server
