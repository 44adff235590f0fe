#include "tenancy/TenancyStore.h"

#include "db/ScopedTransaction.h"
#include "db/SqlParams.h"
#include "http/Pagination.h"

#include <pqxx/pqxx>

namespace breeze::server {

namespace {
constexpr const char* kPartnerJson =
    "json_build_object('id', p.id, 'name', p.name, 'require_mfa', p.require_mfa, "
    "'created_at', p.created_at)::text AS item";
constexpr const char* kOrgJson =
    "json_build_object('id', o.id, 'partner_id', o.partner_id, 'name', o.name, 'require_device_approval', "
    "o.require_device_approval, 'created_at', o.created_at, 'updated_at', o.updated_at)::text AS item";
constexpr const char* kSiteJson =
    "json_build_object('id', s.id, 'org_id', s.org_id, 'org_name', coalesce((SELECT o.name FROM "
    "organizations o "
    "WHERE o.id = s.org_id), ''), 'name', s.name, 'timezone', s.timezone, 'created_at', s.created_at, "
    "'updated_at', s.updated_at)::text AS item";
constexpr const char* kGroupJson =
    "json_build_object('id', g.id, 'org_id', g.org_id, 'org_name', coalesce((SELECT o.name FROM "
    "organizations o "
    "WHERE o.id = g.org_id), ''), 'site_id', g.site_id, 'site_name', (SELECT st.name FROM sites st WHERE "
    "st.id = "
    "g.site_id), 'name', g.name, 'created_at', g.created_at, 'updated_at', g.updated_at)::text AS item";

nlohmann::json item(const pqxx::row& row) {
    return nlohmann::json::parse(row["item"].c_str());
}

std::optional<nlohmann::json> firstItem(const pqxx::result& rows) {
    if (rows.empty())
        return std::nullopt;
    return item(rows[0]);
}

std::string select(const char* json) {
    return std::string("SELECT ") + json;
}

// `text` as an ILIKE pattern that matches it anywhere, with LIKE's own characters taken literally.
std::string containsPattern(const std::string& text) {
    std::string out = "%";
    for (char c : text) {
        if (c == '%' || c == '_' || c == '\\')
            out.push_back('\\');
        out.push_back(c);
    }
    return out + "%";
}
} // namespace

// ---- partner ----

std::optional<nlohmann::json> TenancyStore::findPartner(const std::string& id) {
    return firstItem(m_tx.sql().exec_params(select(kPartnerJson) + " FROM partners p WHERE p.id = $1", id));
}

nlohmann::json TenancyStore::updatePartner(const std::string& id, const std::optional<std::string>& name,
                                           std::optional<bool> requireMfa) {
    return item(m_tx.sql().exec_params1(
        std::string(
            "UPDATE partners p SET name = coalesce($2, name), require_mfa = coalesce($3, require_mfa), "
            "updated_at = now() WHERE p.id = $1 RETURNING ") +
            kPartnerJson,
        id, name, requireMfa));
}

// ---- organisations ----

nlohmann::json TenancyStore::listOrgs(const std::optional<std::string>& nameContains,
                                      const Pagination& pagination, const std::string& scopeSql) {
    SqlParams params;
    std::string sql = select(kOrgJson) + ", o.name AS sort_key FROM organizations o WHERE " + scopeSql;
    if (nameContains)
        sql += " AND o.name ILIKE " + params.add(containsPattern(*nameContains));
    sql += pagination.sqlAfter(params, "o.name", "o.id") + " ORDER BY o.name, o.id" + pagination.sqlLimit();
    return pagination.page(params.exec(m_tx.sql(), sql));
}

nlohmann::json TenancyStore::insertOrg(const std::string& partnerId, const std::string& name,
                                       bool requireApproval) {
    return item(m_tx.sql().exec_params1(
        std::string("INSERT INTO organizations AS o (partner_id, name, require_device_approval) "
                    "VALUES ($1, $2, $3) RETURNING ") +
            kOrgJson,
        partnerId, name, requireApproval));
}

std::optional<nlohmann::json> TenancyStore::findOrg(const std::string& id, const std::string& scopeSql) {
    return firstItem(m_tx.sql().exec_params(
        select(kOrgJson) + " FROM organizations o WHERE o.id = $1 AND " + scopeSql, id));
}

nlohmann::json TenancyStore::updateOrg(const std::string& id, const std::optional<std::string>& name,
                                       std::optional<bool> requireApproval, const std::string& scopeSql) {
    return item(m_tx.sql().exec_params1(
        "UPDATE organizations o SET name = coalesce($2, name), require_device_approval = coalesce($3, "
        "require_device_approval), updated_at = now() WHERE o.id = $1 AND " +
            scopeSql + " RETURNING " + kOrgJson,
        id, name, requireApproval));
}

TenancyStore::OrgContents TenancyStore::orgContents(const std::string& id) {
    const auto row =
        m_tx.sql().exec_params1("SELECT (SELECT count(*) FROM sites WHERE org_id = $1) AS sites, "
                                "(SELECT count(*) FROM users WHERE home_org_id = $1) AS users",
                                id);
    return {row["sites"].as<long long>(), row["users"].as<long long>()};
}

void TenancyStore::deleteOrg(const std::string& id, const std::string& scopeSql) {
    m_tx.sql().exec_params("DELETE FROM organizations o WHERE o.id = $1 AND " + scopeSql, id);
}

bool TenancyStore::timezoneExists(const std::string& name) {
    return !m_tx.sql().exec_params("SELECT 1 FROM pg_timezone_names WHERE name = $1", name).empty();
}

// ---- sites ----

nlohmann::json TenancyStore::listSites(const std::optional<std::string>& orgId,
                                       const std::optional<std::string>& nameContains,
                                       const Pagination& pagination, const std::string& scopeSql) {
    SqlParams params;
    std::string sql = select(kSiteJson) + ", s.name AS sort_key FROM sites s WHERE " + scopeSql;
    if (orgId)
        sql += " AND s.org_id = " + params.add(*orgId) + "::uuid";
    if (nameContains)
        sql += " AND s.name ILIKE " + params.add(containsPattern(*nameContains));
    sql += pagination.sqlAfter(params, "s.name", "s.id") + " ORDER BY s.name, s.id" + pagination.sqlLimit();
    return pagination.page(params.exec(m_tx.sql(), sql));
}

nlohmann::json TenancyStore::insertSite(const std::string& partnerId, const std::string& orgId,
                                        const std::string& name, const std::string& timezone) {
    return item(
        m_tx.sql().exec_params1(std::string("INSERT INTO sites AS s (partner_id, org_id, name, timezone) "
                                            "VALUES ($1, $2, $3, $4) RETURNING ") +
                                    kSiteJson,
                                partnerId, orgId, name, timezone));
}

std::optional<nlohmann::json> TenancyStore::findSite(const std::string& id, const std::string& scopeSql) {
    return firstItem(
        m_tx.sql().exec_params(select(kSiteJson) + " FROM sites s WHERE s.id = $1 AND " + scopeSql, id));
}

nlohmann::json TenancyStore::updateSite(const std::string& id, const std::optional<std::string>& name,
                                        const std::optional<std::string>& timezone,
                                        const std::string& scopeSql) {
    return item(
        m_tx.sql().exec_params1("UPDATE sites s SET name = coalesce($2, name), timezone = coalesce($3, "
                                "timezone), updated_at = now() WHERE s.id = $1 AND " +
                                    scopeSql + " RETURNING " + kSiteJson,
                                id, name, timezone));
}

void TenancyStore::deleteSite(const std::string& id, const std::string& scopeSql) {
    m_tx.sql().exec_params("DELETE FROM sites s WHERE s.id = $1 AND " + scopeSql, id);
}

// ---- device groups ----

nlohmann::json TenancyStore::listGroups(const std::optional<std::string>& orgId,
                                        const std::optional<std::string>& siteId,
                                        const std::optional<std::string>& nameContains,
                                        const Pagination& pagination, const std::string& scopeSql) {
    SqlParams params;
    std::string sql = select(kGroupJson) + ", g.name AS sort_key FROM device_groups g WHERE " + scopeSql;
    if (orgId)
        sql += " AND g.org_id = " + params.add(*orgId) + "::uuid";
    if (siteId)
        sql += " AND g.site_id = " + params.add(*siteId) + "::uuid";
    if (nameContains)
        sql += " AND g.name ILIKE " + params.add(containsPattern(*nameContains));
    sql += pagination.sqlAfter(params, "g.name", "g.id") + " ORDER BY g.name, g.id" + pagination.sqlLimit();
    return pagination.page(params.exec(m_tx.sql(), sql));
}

nlohmann::json TenancyStore::insertGroup(const std::string& partnerId, const std::string& orgId,
                                         const std::optional<std::string>& siteId, const std::string& name) {
    return item(m_tx.sql().exec_params1(
        std::string("INSERT INTO device_groups AS g (partner_id, org_id, site_id, name) "
                    "VALUES ($1, $2, $3, $4) RETURNING ") +
            kGroupJson,
        partnerId, orgId, siteId, name));
}

std::optional<nlohmann::json> TenancyStore::findGroup(const std::string& id, const std::string& scopeSql) {
    return firstItem(m_tx.sql().exec_params(
        select(kGroupJson) + " FROM device_groups g WHERE g.id = $1 AND " + scopeSql, id));
}

nlohmann::json TenancyStore::updateGroup(const std::string& id, const std::optional<std::string>& name) {
    return item(m_tx.sql().exec_params1(
        std::string("UPDATE device_groups g SET name = coalesce($2, name), updated_at = now() "
                    "WHERE g.id = $1 RETURNING ") +
            kGroupJson,
        id, name));
}

void TenancyStore::deleteGroup(const std::string& id, const std::string& byLabel) {
    m_tx.sql().exec_params(
        "INSERT INTO device_events (partner_id, org_id, site_id, device_id, kind, detail) "
        "SELECT d.partner_id, d.org_id, d.site_id, d.id, 'updated', "
        "jsonb_build_object('group_id', NULL, 'by', $2::text) FROM devices d WHERE d.group_id = $1",
        id, byLabel);
    m_tx.sql().exec_params("DELETE FROM device_groups g WHERE g.id = $1", id);
}

} // namespace breeze::server
