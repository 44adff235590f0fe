#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace breeze::server {

class ScopedTransaction;

// The SQL of sign-in sessions and their one-use refresh tokens (stored only as SHA-256 hashes).
class SessionStore {
public:
    explicit SessionStore(ScopedTransaction& tx) : m_tx(tx) {}

    // A refresh token's session, locked with the token so two refreshes cannot both use it.
    struct Refresh {
        std::string sessionId, userId, partnerId, email;
        bool alreadyUsed = false;
        bool ended = false; // revoked, expired, or its user disabled
        bool mfaEnrollmentOnly = false;
    };
    std::optional<Refresh> lockRefresh(const std::string& tokenHash);
    void markRefreshUsed(const std::string& tokenHash);

    void revoke(const std::string& sessionId, const std::string& reason);
    void endOwn(const std::string& sessionId, const std::string& userId); // sign-out
    // Every session of the user but `keep`; how many ended.
    std::size_t endOthers(const std::string& userId, const std::string& keep, const std::string& reason);
    void finishMfaEnrollment(const std::string& sessionId); // the session may do more than enrol now

private:
    ScopedTransaction& m_tx;
};

} // namespace breeze::server
