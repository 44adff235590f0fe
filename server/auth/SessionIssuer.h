#pragma once

#include "db/ScopedTransaction.h"

#include <nlohmann/json.hpp>
#include <string>

namespace breeze::server {

struct ServerContext;

// Starts sessions and rotates their refresh tokens. Refresh tokens are random 256-bit strings stored only as
// SHA-256 hashes; each is good for one use, and every rotation extends the session's idle expiry.
class SessionIssuer {
public:
    explicit SessionIssuer(ServerContext& server) : m_server(server) {}

    // The token response for a new session: access and refresh tokens with their lifetimes.
    nlohmann::json start(ScopedTransaction& tx, const std::string& userId, const std::string& partnerId,
                         bool mfaEnrollmentOnly, const std::string& address);
    nlohmann::json rotate(ScopedTransaction& tx, const std::string& sessionId, const std::string& userId,
                          bool mfaEnrollmentOnly);

private:
    nlohmann::json tokens(ScopedTransaction& tx, const std::string& sessionId, const std::string& userId,
                          bool mfaEnrollmentOnly);

    ServerContext& m_server;
};

} // namespace breeze::server
