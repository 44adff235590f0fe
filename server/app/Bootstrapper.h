#pragma once

#include "app/ServerContext.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace breeze::server {

// Creates a partner and its first partner-admin with TOTP already enrolled, from the server host. This is how
// an installation gets its first user; `newPartner` adds another partner (an MSP hosted on the same server).
class Bootstrapper {
public:
    explicit Bootstrapper(ServerContext& server) : m_server(server) {}

    // Returns the credentials to hand to the admin: e-mail, password, base32 TOTP secret, recovery codes.
    nlohmann::json run(const std::string& email, std::optional<std::string> password,
                       const std::string& partnerName, bool newPartner);

private:
    ServerContext& m_server;
};

} // namespace breeze::server
