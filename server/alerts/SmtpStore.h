#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace breeze::server {

class ScopedTransaction;

// A partner's SMTP server in SQL: shown without its password, written with it sealed.
class SmtpStore {
public:
    explicit SmtpStore(ScopedTransaction& tx) : m_tx(tx) {}

    std::optional<nlohmann::json> find(const std::string& partnerId);
    struct Update {
        std::string partnerId;
        std::string host;
        int port = 587;
        std::string security;
        std::optional<std::string> username;
        std::optional<std::string> sealedPassword;
        std::string from;
        std::string by;
    };
    void save(const Update& update);
    bool remove(const std::string& partnerId);

private:
    ScopedTransaction& m_tx;
};

} // namespace breeze::server
