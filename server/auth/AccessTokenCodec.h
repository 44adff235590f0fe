#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace breeze::server {

struct AccessTokenClaims {
    std::string userId;
    std::string sessionId;
};

// Short-lived access tokens: HS256 JWTs naming a user and the session they belong to. The session is checked
// on every request too, so signing out or a detected refresh-token reuse takes effect at once.
class AccessTokenCodec {
public:
    AccessTokenCodec(std::string signingKey, std::chrono::seconds lifetime);

    std::string issue(const AccessTokenClaims& claims) const;
    // nullopt for anything but a well-formed, correctly signed, unexpired token of ours.
    std::optional<AccessTokenClaims> verify(const std::string& token) const;
    std::chrono::seconds lifetime() const { return m_lifetime; }

private:
    std::string m_signingKey;
    std::chrono::seconds m_lifetime;
};

} // namespace breeze::server
