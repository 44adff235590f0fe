#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace breeze::server {

class Pagination;
class ScopedTransaction;

// The SQL of API keys and enrollment keys: lists, one key as the API shows it (never its secret, which is
// kept only as a hash), creation and revocation. Columns are read by name.
class KeyStore {
public:
    explicit KeyStore(ScopedTransaction& tx) : m_tx(tx) {}

    // API keys act on a whole organisation; `scopeSql` is over k.partner_id, k.org_id and no site.
    nlohmann::json listApiKeys(const std::optional<std::string>& orgId, const Pagination& pagination,
                               const std::string& scopeSql);
    struct Found {
        nlohmann::json key;
        std::string orgId;
        std::string siteId; // enrollment keys only
    };
    std::optional<Found> findApiKey(const std::string& id, const std::string& scopeSql);
    bool organisationVisible(const std::string& orgId, const std::string& scopeSql);
    struct NewApiKey {
        std::string partnerId, orgId, roleId, name, displayPrefix, keyHash;
        std::optional<std::string> createdBy;
        std::optional<long long> expiresInDays;
    };
    Found insertApiKey(const NewApiKey& key); // the key as shown, and its id in `key["id"]`
    void revokeApiKey(const std::string& id);

    // Enrollment keys; `scopeSql` is over e.partner_id, e.org_id, e.site_id.
    nlohmann::json listEnrollmentKeys(const std::optional<std::string>& orgId,
                                      const std::optional<std::string>& siteId, const Pagination& pagination,
                                      const std::string& scopeSql);
    std::optional<Found> findEnrollmentKey(const std::string& id, const std::string& scopeSql);
    // The organisation of a site the caller may see (`scopeSql` over s.partner_id, s.org_id, s.id).
    std::optional<std::string> siteOrganisation(const std::string& siteId, const std::string& scopeSql);
    struct NewEnrollmentKey {
        std::string partnerId, orgId, siteId, name, displayPrefix, keyHash;
        long long expiresInSeconds = 0;
        std::optional<long long> maxUses;
        std::optional<std::string> createdBy;
    };
    Found insertEnrollmentKey(const NewEnrollmentKey& key);
    void revokeEnrollmentKey(const std::string& id);

private:
    ScopedTransaction& m_tx;
};

} // namespace breeze::server
