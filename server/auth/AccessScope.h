#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace breeze::server {

// Which part of one partner's tenant tree a request may touch for one permission: the whole partner, whole
// organisations, or organisations limited to some sites. Repositories turn it into SQL filters; the same
// scope sets the session variables that row-level security checks as a second wall.
class AccessScope {
public:
    explicit AccessScope(std::string partnerId);

    void grantWholePartner() { m_wholePartner = true; }
    void grantOrg(const std::string& orgId);
    void grantSites(const std::string& orgId, const std::vector<std::string>& siteIds);

    const std::string& partnerId() const { return m_partnerId; }
    bool isEmpty() const { return !m_wholePartner && m_orgsAll.empty() && m_orgsLimited.empty(); }
    bool isWholePartner() const { return m_wholePartner; }
    bool allowsOrg(const std::string& orgId) const;      // any part of the organisation
    bool allowsWholeOrg(const std::string& orgId) const; // every site of it
    bool allowsSite(const std::string& orgId, const std::string& siteId) const;

    // SQL conditions over the given columns, with ids inlined as validated UUID literals.
    std::string sqlPartnerWide(const std::string& partnerColumn) const;
    std::string sqlOrg(const std::string& partnerColumn, const std::string& orgColumn) const;
    std::string sqlSite(const std::string& partnerColumn, const std::string& orgColumn,
                        const std::string& siteColumn) const;

    // PostgreSQL array literals for the row-level-security settings.
    std::string orgsAllArray() const;
    std::string orgsLimitedArray() const;
    std::string sitesAllowedArray() const;

private:
    std::string m_partnerId;
    bool m_wholePartner = false;
    std::set<std::string> m_orgsAll;
    std::map<std::string, std::set<std::string>> m_orgsLimited;
};

} // namespace breeze::server
