#include "scripts/ScriptStore.h"

#include "db/PgText.h"
#include "db/ScopedTransaction.h"
#include "db/SqlParams.h"
#include "http/Pagination.h"
#include "http/ResultJson.h"

#include <pqxx/pqxx>

namespace breeze::server {

namespace {
// A script with its current version's settings (never its content: lists stay small).
constexpr const char* kScriptJson =
    "json_build_object('id', s.id, 'org_id', s.org_id, 'name', s.name, 'description', s.description, "
    "'category', s.category, 'tags', s.tags, 'version', s.current_version, 'language', v.language, 'os', "
    "v.os, 'parameters', v.parameters, 'timeout_seconds', v.timeout_seconds, 'run_as', v.run_as, "
    "'content_bytes', octet_length(v.content), 'created_by', s.created_by, 'created_at', s.created_at, "
    "'updated_at', s.updated_at)";
constexpr const char* kScriptFrom =
    " FROM scripts s JOIN script_versions v ON v.script_id = s.id AND v.version = s.current_version";

constexpr const char* kVersionJson =
    "json_build_object('script_id', v.script_id, 'version', v.version, 'language', v.language, 'os', v.os, "
    "'parameters', v.parameters, 'timeout_seconds', v.timeout_seconds, 'run_as', v.run_as, 'note', v.note, "
    "'restored_from', v.restored_from, 'content_bytes', octet_length(v.content), 'sha256', "
    "encode(sha256(convert_to(v.content, 'UTF8')), 'hex'), 'created_by', v.created_by, 'created_at', "
    "v.created_at)";
} // namespace

nlohmann::json ScriptStore::list(const Filter& filter, const Pagination& pagination,
                                 const std::string& scopeSql) {
    SqlParams params;
    std::string sql = std::string("SELECT (") + kScriptJson +
                      ")::text AS item, lower(s.name) || '/' || s.id AS sort_key" + kScriptFrom +
                      " WHERE s.deleted_at IS NULL AND " + scopeSql;
    if (filter.orgId)
        sql += " AND (s.org_id = " + params.add(*filter.orgId) + "::uuid OR s.org_id IS NULL)";
    if (filter.name)
        sql += " AND lower(s.name) = lower(" + params.add(*filter.name) + ")";
    if (filter.partnerLibrary)
        sql += *filter.partnerLibrary ? " AND s.org_id IS NULL" : " AND s.org_id IS NOT NULL";
    if (filter.category)
        sql += " AND lower(s.category) = lower(" + params.add(*filter.category) + ")";
    if (filter.tag)
        sql += " AND lower(" + params.add(*filter.tag) + ") = ANY(SELECT lower(t) FROM unnest(s.tags) t)";
    if (filter.language)
        sql += " AND v.language = " + params.add(*filter.language);
    if (filter.search) {
        const std::string text = params.add(*filter.search);
        sql += " AND (strpos(lower(s.name), lower(" + text + ")) > 0 OR strpos(lower(s.description), lower(" +
               text + ")) > 0)";
    }
    sql += pagination.sqlAfter(params, "lower(s.name) || '/' || s.id", "s.id") +
           " ORDER BY lower(s.name) || '/' || s.id, s.id" + pagination.sqlLimit();
    return pagination.page(params.exec(m_tx.sql(), sql));
}

nlohmann::json ScriptStore::fetchWithContent(const std::string& scriptId) {
    const auto row =
        m_tx.sql().exec_params1(std::string("SELECT (") + kScriptJson + ")::text AS script, v.content" +
                                    kScriptFrom + " WHERE s.id = $1",
                                scriptId);
    auto body = nlohmann::json::parse(row["script"].c_str());
    body["content"] = row["content"].as<std::string>();
    return body;
}

std::string ScriptStore::insertScript(const std::string& partnerId, const std::optional<std::string>& orgId,
                                      const std::string& name, const std::string& description,
                                      const std::string& category, const std::string& tagsLiteral,
                                      const std::string& createdBy) {
    return m_tx.sql()
        .exec_params1(
            "INSERT INTO scripts (partner_id, org_id, name, description, category, tags, created_by) "
            "VALUES ($1, NULLIF($2, '')::uuid, $3, $4, $5, $6::text[], $7) RETURNING id",
            partnerId, orgId.value_or(""), name, description, category, tagsLiteral, createdBy)["id"]
        .as<std::string>();
}

void ScriptStore::updateScript(const std::string& scriptId, const std::optional<std::string>& name,
                               const std::optional<std::string>& description,
                               const std::optional<std::string>& category,
                               const std::optional<std::string>& tagsLiteral, int currentVersion) {
    m_tx.sql().exec_params(
        "UPDATE scripts SET name = coalesce($2, name), description = coalesce($3, description), "
        "category = coalesce($4, category), tags = coalesce($5::text[], tags), current_version = $6, "
        "updated_at = now() WHERE id = $1",
        scriptId, name, description, category, tagsLiteral, currentVersion);
}

void ScriptStore::setCurrentVersion(const std::string& scriptId, int version) {
    m_tx.sql().exec_params("UPDATE scripts SET current_version = $2, updated_at = now() WHERE id = $1",
                           scriptId, version);
}

void ScriptStore::markDeleted(const std::string& scriptId) {
    m_tx.sql().exec_params("UPDATE scripts SET deleted_at = now(), updated_at = now() WHERE id = $1",
                           scriptId);
}

int ScriptStore::lockCurrentVersion(const std::string& scriptId) {
    return m_tx.sql()
        .exec_params1("SELECT current_version FROM scripts WHERE id = $1 FOR UPDATE",
                      scriptId)["current_version"]
        .as<int>();
}

std::optional<ScriptVersion> ScriptStore::version(const std::string& scriptId, int number) {
    const auto rows = m_tx.sql().exec_params(
        "SELECT language, array_to_string(os, ',') AS os, content, parameters::text AS parameters, "
        "timeout_seconds, run_as FROM script_versions WHERE script_id = $1 AND version = $2",
        scriptId, number);
    if (rows.empty())
        return std::nullopt;
    const auto& row = rows[0];
    ScriptVersion version;
    version.language = row["language"].as<std::string>();
    version.os = splitCommaList(row["os"].as<std::string>());
    version.content = row["content"].as<std::string>();
    version.parameters = nlohmann::json::parse(row["parameters"].as<std::string>());
    version.timeoutSeconds = row["timeout_seconds"].as<long long>();
    version.runAs = row["run_as"].as<std::string>();
    return version;
}

void ScriptStore::insertVersion(const std::string& scriptId, const std::string& partnerId,
                                const std::optional<std::string>& orgId, int number,
                                const ScriptVersion& version, std::optional<int> restoredFrom,
                                const Author& author) {
    m_tx.sql().exec_params(
        "INSERT INTO script_versions (script_id, partner_id, org_id, version, language, os, content, "
        "parameters, "
        "timeout_seconds, run_as, note, restored_from, created_by, created_by_user) VALUES ($1, $2, "
        "NULLIF($3, '')::uuid, $4, $5, $6::text[], $7, $8::jsonb, $9, $10, $11, NULLIF($12, '')::integer, "
        "$13, "
        "NULLIF($14, '')::uuid)",
        scriptId, partnerId, orgId.value_or(""), number, version.language, textArrayLiteral(version.os),
        version.content, version.parameters.dump(), version.timeoutSeconds, version.runAs, version.note,
        restoredFrom ? std::to_string(*restoredFrom) : std::string(), author.label, author.userId);
}

nlohmann::json ScriptStore::versions(const std::string& scriptId) {
    return jsonRows(
        m_tx.sql().exec_params(std::string("SELECT ") + kVersionJson +
                                   "::text AS item FROM script_versions v WHERE v.script_id = $1 ORDER BY "
                                   "v.version DESC",
                               scriptId));
}

std::optional<nlohmann::json> ScriptStore::versionWithContent(const std::string& scriptId, int number) {
    const auto rows = m_tx.sql().exec_params(
        std::string("SELECT ") + kVersionJson +
            "::text AS version, v.content FROM script_versions v WHERE v.script_id = $1 AND v.version = $2",
        scriptId, number);
    if (rows.empty())
        return std::nullopt;
    auto body = nlohmann::json::parse(rows[0]["version"].c_str());
    body["content"] = rows[0]["content"].as<std::string>();
    return body;
}

} // namespace breeze::server
