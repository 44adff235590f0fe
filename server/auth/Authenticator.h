#pragma once

#include "auth/Principal.h"

#include <cstdint>
#include <optional>
#include <pqxx/connection>
#include <string>

namespace breeze::server {

struct ServerContext;

// Turns an Authorization header into a Principal: a "Bearer brz_..." API key or a "Bearer <JWT>" access token
// whose session is still live. Anything else is a 401 with a reason the client can act on. Answers come from
// the PrincipalCache while the auth epoch has not moved.
class Authenticator {
public:
    explicit Authenticator(ServerContext& server) : m_server(server) {}

    Principal authenticate(const std::string& authorization, const std::string& address,
                           const std::string& requestId);

    // An enabled user with their grants as they are now, for work done on their behalf without a request (a
    // scheduled run); nullopt when the user is disabled or gone.
    std::optional<Principal> forUser(const std::string& userId);

    static constexpr const char* kApiKeyPrefix = "brz_";

private:
    Principal fromApiKey(const std::string& key, const std::string& address, const std::string& requestId);
    Principal fromAccessToken(const std::string& token);
    // The auth epoch (migrations/0014): cached principals loaded under another one are stale.
    static std::int64_t currentEpoch(pqxx::connection& connection);

    ServerContext& m_server;
};

} // namespace breeze::server
