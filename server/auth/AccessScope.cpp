#include "auth/AccessScope.h"

#include "db/PgText.h"
#include "http/JsonFields.h"

#include <stdexcept>

namespace breeze::server {

namespace {
const std::string& checkedUuid(const std::string& id) {
    // Only ids read back from PostgreSQL reach a scope; this keeps the inlined literals safe regardless.
    if (!isUuid(id))
        throw std::logic_error("access scope given a malformed id");
    return id;
}

std::string sqlArray(const std::string& literal) {
    return "'" + literal + "'::uuid[]";
}
} // namespace

AccessScope::AccessScope(std::string partnerId) : m_partnerId(std::move(partnerId)) {
    checkedUuid(m_partnerId);
}

void AccessScope::grantOrg(const std::string& orgId) {
    m_orgsAll.insert(checkedUuid(orgId));
    m_orgsLimited.erase(orgId);
}

void AccessScope::grantSites(const std::string& orgId, const std::vector<std::string>& siteIds) {
    if (m_orgsAll.contains(checkedUuid(orgId)))
        return;
    auto& sites = m_orgsLimited[orgId];
    for (const auto& site : siteIds)
        sites.insert(checkedUuid(site));
}

bool AccessScope::allowsOrg(const std::string& orgId) const {
    return m_wholePartner || m_orgsAll.contains(orgId) || m_orgsLimited.contains(orgId);
}

bool AccessScope::allowsWholeOrg(const std::string& orgId) const {
    return m_wholePartner || m_orgsAll.contains(orgId);
}

bool AccessScope::allowsSite(const std::string& orgId, const std::string& siteId) const {
    if (allowsWholeOrg(orgId))
        return true;
    const auto it = m_orgsLimited.find(orgId);
    return it != m_orgsLimited.end() && it->second.contains(siteId);
}

std::string AccessScope::sqlPartnerWide(const std::string& partnerColumn) const {
    return "(" + partnerColumn + " = '" + m_partnerId + "'::uuid AND " + (m_wholePartner ? "true" : "false") +
           ")";
}

std::string AccessScope::sqlOrg(const std::string& partnerColumn, const std::string& orgColumn) const {
    if (m_wholePartner)
        return "(" + partnerColumn + " = '" + m_partnerId + "'::uuid)";
    return "(" + partnerColumn + " = '" + m_partnerId + "'::uuid AND (" + orgColumn + " = ANY(" +
           sqlArray(orgsAllArray()) + ") OR " + orgColumn + " = ANY(" + sqlArray(orgsLimitedArray()) + ")))";
}

std::string AccessScope::sqlSite(const std::string& partnerColumn, const std::string& orgColumn,
                                 const std::string& siteColumn) const {
    if (m_wholePartner)
        return "(" + partnerColumn + " = '" + m_partnerId + "'::uuid)";
    return "(" + partnerColumn + " = '" + m_partnerId + "'::uuid AND (" + orgColumn + " = ANY(" +
           sqlArray(orgsAllArray()) + ") OR coalesce(" + siteColumn + " = ANY(" +
           sqlArray(sitesAllowedArray()) + "), false)))";
}

std::string AccessScope::orgsAllArray() const {
    return uuidArrayLiteral(m_orgsAll);
}

std::string AccessScope::orgsLimitedArray() const {
    std::vector<std::string> ids;
    for (const auto& [org, sites] : m_orgsLimited)
        ids.push_back(org);
    return uuidArrayLiteral(ids);
}

std::string AccessScope::sitesAllowedArray() const {
    std::vector<std::string> ids;
    for (const auto& [org, sites] : m_orgsLimited)
        ids.insert(ids.end(), sites.begin(), sites.end());
    return uuidArrayLiteral(ids);
}

} // namespace breeze::server
