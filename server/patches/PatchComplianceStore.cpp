#include "patches/PatchComplianceStore.h"

#include "db/ScopedTransaction.h"
#include "db/SqlParams.h"

#include <array>
#include <cmath>
#include <pqxx/pqxx>

namespace breeze::server {

namespace {
constexpr std::array<const char*, 5> kClasses = {"critical", "important", "moderate", "low", "security"};

// Every figure as a column of that name, summed (`sum`) or as stored.
std::string figureColumns(bool sum) {
    std::string out;
    for (std::string name : {"devices", "scanned", "fully_patched", "critical_patched", "important_patched",
                             "moderate_patched", "low_patched", "security_patched"}) {
        out += out.empty() ? "" : ", ";
        out += sum ? "coalesce(sum(c." + name + "), 0) AS " + name : "c." + name;
    }
    return out;
}

// Shares of fully patched devices, overall and per class; null where no device has been scanned.
nlohmann::json figures(const pqxx::row& row) {
    const auto scanned = row["scanned"].as<long long>();
    const auto share = [scanned](long long patched) {
        return scanned == 0 ? nlohmann::json()
                            : nlohmann::json(std::round(1000.0 * patched / scanned) / 1000.0);
    };
    nlohmann::json bySeverity = nlohmann::json::object();
    for (const char* name : kClasses) {
        const auto patched = row[std::string(name) + "_patched"].as<long long>();
        bySeverity[name] = {{"patched", patched}, {"share", share(patched)}};
    }
    const auto fully = row["fully_patched"].as<long long>();
    return {{"devices", row["devices"].as<long long>()},
            {"scanned", scanned},
            {"fully_patched", fully},
            {"share", share(fully)},
            {"by_severity", bySeverity}};
}
} // namespace

nlohmann::json PatchComplianceStore::report(const std::optional<std::string>& orgId,
                                            const std::optional<std::string>& siteId, int days,
                                            const std::string& scopeSql) {
    SqlParams params;
    std::string where = scopeSql;
    if (orgId)
        where += " AND c.org_id = " + params.add(*orgId) + "::uuid";
    if (siteId)
        where += " AND c.site_id = " + params.add(*siteId) + "::uuid";
    const auto total = params.exec(m_tx.sql(), "SELECT " + figureColumns(true) +
                                                   " FROM patch_compliance_now c WHERE " + where);
    nlohmann::json sites = nlohmann::json::array();
    for (const auto& row :
         params.exec(m_tx.sql(), "SELECT c.org_id, o.name AS org_name, c.site_id, s.name AS "
                                 "site_name, " +
                                     figureColumns(false) +
                                     " FROM patch_compliance_now c JOIN organizations o ON o.id = "
                                     "c.org_id JOIN sites s ON s.id = c.site_id WHERE " +
                                     where + " ORDER BY o.name, s.name")) {
        auto site = figures(row);
        for (const char* column : {"org_id", "org_name", "site_id", "site_name"})
            site[column] = row[column].as<std::string>();
        sites.push_back(std::move(site));
    }
    nlohmann::json history = nlohmann::json::array();
    for (const auto& row :
         params.exec(m_tx.sql(), "SELECT c.day::text AS day, " + figureColumns(true) +
                                     " FROM patch_compliance_daily c WHERE " + where +
                                     " AND c.day >= current_date - " + std::to_string(days) +
                                     " GROUP BY c.day ORDER BY c.day")) {
        auto day = figures(row);
        day["day"] = row["day"].as<std::string>();
        history.push_back(std::move(day));
    }
    return {{"total", figures(total[0])}, {"sites", sites}, {"history", history}};
}

} // namespace breeze::server
