#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace breeze::server {

class Pagination;
class ScopedTransaction;

// The SQL of user accounts and their grants, each user as the API shows it (never a password hash or an MFA
// secret). A taken e-mail address or a repeated grant surfaces as pqxx::unique_violation for the route to
// word.
class UserStore {
public:
    explicit UserStore(ScopedTransaction& tx) : m_tx(tx) {}

    // Users visible to `scope`: partner-wide users for a whole-partner scope, others by their home
    // organisation.
    static std::string scopeSql(const class AccessScope& scope);

    nlohmann::json list(const std::optional<std::string>& homeOrg, const std::optional<std::string>& email,
                        const Pagination& pagination, const std::string& scopeSql);
    std::optional<nlohmann::json> find(const std::string& id, const std::string& scopeSql);
    nlohmann::json user(const std::string& id); // one the caller has already been allowed to see

    struct Home {
        std::optional<std::string> orgId; // none for a partner-wide user
    };
    std::optional<Home> findHome(const std::string& id, const std::string& scopeSql);
    std::string email(const std::string& id);

    struct NewUser {
        std::string partnerId;
        std::optional<std::string> homeOrg;
        std::string email, displayName, passwordHash;
        bool mfaRequired = false;
    };
    std::string insert(const NewUser& user); // the new id
    struct Change {
        std::optional<std::string> displayName;
        std::optional<bool> mfaRequired, disabled;
        std::optional<std::string> passwordHash;
    };
    void update(const std::string& id, const Change& change);
    void remove(const std::string& id);

    // Disabled or removed: every session ends and every API key the user made is revoked.
    void endAccess(const std::string& id, const std::string& reason);
    void endSessions(const std::string& id, const std::string& reason);

    bool siteInOrg(const std::string& siteId, const std::string& orgId);
    // `siteArray` is a PostgreSQL uuid[] literal or none for the whole organisation (or partner).
    std::string insertGrant(const std::string& userId, const std::string& partnerId,
                            const std::string& roleId, const std::optional<std::string>& orgId,
                            const std::optional<std::string>& siteArray);
    struct Grant {
        std::optional<std::string> orgId;
        std::string roleId;
    };
    std::optional<Grant> findGrant(const std::string& grantId, const std::string& userId);
    void removeGrant(const std::string& grantId);

private:
    ScopedTransaction& m_tx;
};

} // namespace breeze::server
