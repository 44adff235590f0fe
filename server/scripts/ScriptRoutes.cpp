#include "scripts/ScriptRoutes.h"

#include "db/PgText.h"
#include "http/ApiError.h"
#include "http/Pagination.h"
#include "http/RequestContext.h"
#include "http/ResultJson.h"
#include "protocol/MessageFields.h"
#include "protocol/ScriptParameters.h"
#include "protocol/ScriptRequest.h"
#include "scripts/ScriptAccess.h"
#include "tenancy/TenantLookup.h"

#include <set>

namespace breeze::server {

namespace {
using namespace permissions;

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

// What makes a version: everything that changes what runs and how.
struct VersionFields {
    std::string language;
    std::vector<std::string> os;
    std::string content;
    nlohmann::json parameters = nlohmann::json::array();
    long long timeoutSeconds = 300;
    std::string runAs;
    std::string note;

    // The same script to run (the note is about a change, not part of one).
    bool operator==(const VersionFields& other) const {
        return language == other.language && os == other.os && content == other.content &&
               parameters == other.parameters && timeoutSeconds == other.timeoutSeconds &&
               runAs == other.runAs;
    }
};

std::vector<std::string> defaultOs(const std::string& language) {
    if (language == "powershell")
        return {"windows", "linux", "macos"};
    return {"linux", "macos"};
}

// Reads the versioned fields the body has over `version`; true when it had any (a save makes a version).
bool readVersionFields(JsonFields& fields, VersionFields& version, bool creating) {
    bool changed = false;
    if (const auto language = creating ? std::optional(fields.requiredString("language", 1, 16))
                                       : fields.optionalString("language", 1, 16)) {
        if (!protocol::isScriptLanguage(*language))
            throw ApiError::badRequest("\"language\" must be bash, sh, python or powershell");
        version.language = *language;
        changed = true;
    }
    if (const auto os = fields.optionalStringList("os", 3, 16)) {
        static const std::set<std::string> known{"linux", "windows", "macos"};
        if (os->empty() || std::set<std::string>(os->begin(), os->end()).size() != os->size())
            throw ApiError::badRequest("\"os\" must list linux, windows or macos, each at most once");
        for (const auto& name : *os)
            if (!known.contains(name))
                throw ApiError::badRequest("\"os\" must list linux, windows or macos, not \"" + name + "\"");
        version.os = *os;
        changed = true;
    } else if (creating) {
        version.os = defaultOs(version.language);
    }
    if (const auto content =
            creating ? std::optional(fields.requiredString("content", 0, protocol::kMaxScriptBytes))
                     : fields.optionalString("content", 0, protocol::kMaxScriptBytes)) {
        if (content->size() > protocol::kMaxScriptBytes)
            throw ApiError::badRequest("\"content\" must be at most " +
                                       std::to_string(protocol::kMaxScriptBytes) + " bytes");
        if (content->find('\0') != std::string::npos)
            throw ApiError::badRequest("\"content\" must not contain NUL characters");
        version.content = *content;
        changed = true;
    }
    if (const auto parameters = fields.optionalArray("parameters")) {
        try {
            version.parameters = protocol::scriptParametersJson(protocol::parseScriptParameters(*parameters));
        } catch (const protocol::MessageError& error) {
            throw ApiError::badRequest(error.what());
        }
        changed = true;
    }
    if (const auto timeout = fields.optionalInteger("timeout_seconds", 1, 86400)) {
        version.timeoutSeconds = *timeout;
        changed = true;
    }
    if (const auto runAs = fields.optionalString("run_as", 0, 32)) {
        if (!runAs->empty() && !protocol::isValidLocalUserName(*runAs))
            throw ApiError::badRequest("\"run_as\" must be empty (the agent's account) or a local user name "
                                       "such as \"backup\"");
        version.runAs = *runAs;
        changed = true;
    }
    version.note = fields.optionalString("note", 0, 500).value_or("");
    return changed;
}

// Locks the script, so that two saves at once make two versions, one after the other; returns its current
// one.
int lockCurrentVersion(ScopedTransaction& tx, const std::string& scriptId) {
    return tx.sql()
        .exec_params1("SELECT current_version FROM scripts WHERE id = $1 FOR UPDATE", scriptId)[0]
        .as<int>();
}

VersionFields loadVersion(ScopedTransaction& tx, const std::string& scriptId, int number) {
    const auto rows = tx.sql().exec_params(
        "SELECT language, array_to_string(os, ','), content, parameters::text, timeout_seconds, run_as "
        "FROM script_versions WHERE script_id = $1 AND version = $2",
        scriptId, number);
    if (rows.empty())
        throw ApiError::notFound("script version");
    VersionFields version;
    version.language = rows[0][0].as<std::string>();
    version.os = splitCommaList(rows[0][1].as<std::string>());
    version.content = rows[0][2].as<std::string>();
    version.parameters = nlohmann::json::parse(rows[0][3].as<std::string>());
    version.timeoutSeconds = rows[0][4].as<long long>();
    version.runAs = rows[0][5].as<std::string>();
    return version;
}

void insertVersion(RequestContext& ctx, ScopedTransaction& tx, const std::string& scriptId,
                   const std::string& partnerId, const std::optional<std::string>& orgId, int number,
                   const VersionFields& version, std::optional<int> restoredFrom) {
    const AuditEvent who = ctx.auditEvent("", "", "");
    tx.sql().exec_params(
        "INSERT INTO script_versions (script_id, partner_id, org_id, version, language, os, content, "
        "parameters, timeout_seconds, run_as, note, restored_from, created_by, created_by_user) VALUES ($1, "
        "$2, "
        "NULLIF($3, '')::uuid, $4, $5, $6::text[], $7, $8::jsonb, $9, $10, $11, NULLIF($12, '')::integer, "
        "$13, "
        "NULLIF($14, '')::uuid)",
        scriptId, partnerId, orgId.value_or(""), number, version.language, textArrayLiteral(version.os),
        version.content, version.parameters.dump(), version.timeoutSeconds, version.runAs, version.note,
        restoredFrom ? std::to_string(*restoredFrom) : std::string(), who.actorLabel,
        who.actorType == "user" ? who.actorId.value_or("") : std::string());
}

nlohmann::json fetchScriptWithContent(ScopedTransaction& tx, const std::string& id) {
    const auto row = tx.sql().exec_params1(
        std::string("SELECT (") + kScriptJson + ")::text, v.content" + kScriptFrom + " WHERE s.id = $1", id);
    auto body = jsonRow(row);
    body["content"] = row[1].as<std::string>();
    return body;
}

ApiResponse listScripts(RequestContext& ctx) {
    const AccessScope scope = ctx.require(ScriptsRead);
    Pagination pagination(ctx);
    SqlParams params;
    std::string sql = std::string("SELECT (") + kScriptJson + ")::text, lower(s.name) || '/' || s.id" +
                      kScriptFrom + " WHERE s.deleted_at IS NULL AND " + scriptScopeSql(scope);
    if (const auto org = ctx.uuidQuery("org"))
        sql += " AND (s.org_id = " + params.add(*org) + "::uuid OR s.org_id IS NULL)";
    if (const auto name = ctx.query("name"))
        sql += " AND lower(s.name) = lower(" + params.add(name->substr(0, 200)) + ")";
    if (const auto library = ctx.query("library")) {
        if (*library != "partner" && *library != "org")
            throw ApiError::badRequest("library must be partner or org");
        sql += *library == "partner" ? " AND s.org_id IS NULL" : " AND s.org_id IS NOT NULL";
    }
    if (const auto category = ctx.query("category"))
        sql += " AND lower(s.category) = lower(" + params.add(category->substr(0, 100)) + ")";
    if (const auto tag = ctx.query("tag"))
        sql +=
            " AND lower(" + params.add(tag->substr(0, 64)) + ") = ANY(SELECT lower(t) FROM unnest(s.tags) t)";
    if (const auto language = ctx.query("language")) {
        if (!protocol::isScriptLanguage(*language))
            throw ApiError::badRequest("language must be bash, sh, python or powershell");
        sql += " AND v.language = " + params.add(*language);
    }
    if (const auto search = ctx.query("q")) {
        const std::string text = params.add(search->substr(0, 100));
        sql += " AND (strpos(lower(s.name), lower(" + text + ")) > 0 OR strpos(lower(s.description), lower(" +
               text + ")) > 0)";
    }
    sql += pagination.sqlAfter(params, "lower(s.name) || '/' || s.id", "s.id") +
           " ORDER BY lower(s.name) || '/' || s.id, s.id" + pagination.sqlLimit();
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(pagination.page(params.exec(tx.sql(), sql)));
}

ApiResponse createScript(RequestContext& ctx) {
    auto fields = ctx.fields();
    const std::string name = fields.requiredName("name");
    const auto orgId = fields.optionalUuid("org_id");
    const std::string description = fields.optionalString("description", 0, 4000).value_or("");
    const std::string category = fields.optionalString("category", 0, 100).value_or("");
    const auto tags = fields.optionalNameList("tags", 32, 64).value_or(std::vector<std::string>{});
    VersionFields version;
    readVersionFields(fields, version, true);
    fields.finish();

    const AccessScope scope = ctx.require(ScriptsWrite);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    if (orgId)
        requireOrgPermission(ctx, tx, *orgId, ScriptsWrite);
    else if (!scope.isWholePartner())
        throw ApiError::forbidden(
            "adding to the partner-wide library needs a partner-wide scripts:write grant; "
            "give \"org_id\" to add the script to one organisation");
    AuditEvent event = ctx.auditEvent("scripts.create", "script", "");
    std::string id;
    try {
        id = tx.sql()
                 .exec_params1("INSERT INTO scripts (partner_id, org_id, name, description, category, tags, "
                               "created_by) VALUES ($1, NULLIF($2, '')::uuid, $3, $4, $5, $6::text[], $7) "
                               "RETURNING id",
                               scope.partnerId(), orgId.value_or(""), name, description, category,
                               textArrayLiteral(tags), event.actorLabel)[0]
                 .as<std::string>();
    } catch (const pqxx::unique_violation&) {
        throw ApiError::conflict("a script named \"" + name + "\" already exists in that library");
    }
    insertVersion(ctx, tx, id, scope.partnerId(), orgId, 1, version, std::nullopt);
    event.resourceId = id;
    event.orgId = orgId;
    event.details = {{"name", name}, {"version", 1}, {"language", version.language}};
    ctx.audit(tx, event);
    auto body = fetchScriptWithContent(tx, id);
    tx.commit();
    return ApiResponse::json(std::move(body), 201);
}

ApiResponse getScript(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "script");
    const AccessScope scope = ctx.require(ScriptsRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    requireScript(ctx, tx, id, ScriptUse::Read);
    return ApiResponse::json(fetchScriptWithContent(tx, id));
}

ApiResponse updateScript(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "script");
    auto fields = ctx.fields();
    const auto name = fields.optionalName("name");
    const auto description = fields.optionalString("description", 0, 4000);
    const auto category = fields.optionalString("category", 0, 100);
    const auto tags = fields.optionalNameList("tags", 32, 64);
    const AccessScope scope = ctx.require(ScriptsWrite);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const ScriptRef script = requireScript(ctx, tx, id, ScriptUse::Write);
    const int current = lockCurrentVersion(tx, id);
    VersionFields version = loadVersion(tx, id, current);
    const VersionFields before = version;
    // A save that changes nothing that runs (the same content sent again) makes no version.
    const bool versioned = readVersionFields(fields, version, false) && version != before;
    fields.finish();
    try {
        tx.sql().exec_params(
            "UPDATE scripts SET name = coalesce($2, name), description = coalesce($3, description), "
            "category = coalesce($4, category), tags = coalesce($5::text[], tags), current_version = $6, "
            "updated_at = now() WHERE id = $1",
            id, name, description, category, tags ? std::optional(textArrayLiteral(*tags)) : std::nullopt,
            versioned ? current + 1 : current);
    } catch (const pqxx::unique_violation&) {
        throw ApiError::conflict("a script named \"" + name.value_or("") +
                                 "\" already exists in that library");
    }
    if (versioned)
        insertVersion(ctx, tx, id, scope.partnerId(), script.orgId, current + 1, version, std::nullopt);
    AuditEvent event = ctx.auditEvent("scripts.update", "script", id);
    event.orgId = script.orgId;
    event.details = {{"name", name.value_or(script.name)},
                     {"version", versioned ? current + 1 : current},
                     {"new_version", versioned}};
    ctx.audit(tx, event);
    auto body = fetchScriptWithContent(tx, id);
    tx.commit();
    return ApiResponse::json(std::move(body));
}

ApiResponse deleteScript(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "script");
    const AccessScope scope = ctx.require(ScriptsWrite);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const ScriptRef script = requireScript(ctx, tx, id, ScriptUse::Write);
    // Kept for the history of what ran (executions point at their version); it leaves the library.
    tx.sql().exec_params("UPDATE scripts SET deleted_at = now(), updated_at = now() WHERE id = $1", id);
    AuditEvent event = ctx.auditEvent("scripts.delete", "script", id);
    event.orgId = script.orgId;
    event.details = {{"name", script.name}};
    ctx.audit(tx, event);
    tx.commit();
    return ApiResponse::noContent();
}

int versionParam(RequestContext& ctx) {
    const std::string text = ctx.pathParam("version");
    if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos)
        throw ApiError::notFound("script version");
    return std::stoi(text);
}

ApiResponse listVersions(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "script");
    const AccessScope scope = ctx.require(ScriptsRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    requireScript(ctx, tx, id, ScriptUse::Read);
    const auto rows = tx.sql().exec_params(std::string("SELECT ") + kVersionJson +
                                               "::text FROM script_versions v WHERE v.script_id = $1 "
                                               "ORDER BY v.version DESC",
                                           id);
    return ApiResponse::json({{"items", jsonRows(rows)}});
}

ApiResponse getVersion(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "script");
    const int number = versionParam(ctx);
    const AccessScope scope = ctx.require(ScriptsRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    requireScript(ctx, tx, id, ScriptUse::Read);
    const auto rows =
        tx.sql().exec_params(std::string("SELECT ") + kVersionJson +
                                 "::text, v.content FROM script_versions v WHERE v.script_id = $1 "
                                 "AND v.version = $2",
                             id, number);
    if (rows.empty())
        throw ApiError::notFound("script version");
    auto body = jsonRow(rows[0]);
    body["content"] = rows[0][1].as<std::string>();
    return ApiResponse::json(std::move(body));
}

// Restoring never rewrites history: the old version's settings become a new, current version.
ApiResponse restoreVersion(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "script");
    const int number = versionParam(ctx);
    const AccessScope scope = ctx.require(ScriptsWrite);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const ScriptRef script = requireScript(ctx, tx, id, ScriptUse::Write);
    const int current = lockCurrentVersion(tx, id);
    VersionFields version = loadVersion(tx, id, number);
    version.note = "restored from version " + std::to_string(number);
    insertVersion(ctx, tx, id, scope.partnerId(), script.orgId, current + 1, version, number);
    tx.sql().exec_params("UPDATE scripts SET current_version = $2, updated_at = now() WHERE id = $1", id,
                         current + 1);
    AuditEvent event = ctx.auditEvent("scripts.restore", "script", id);
    event.orgId = script.orgId;
    event.details = {{"name", script.name}, {"restored_from", number}, {"version", current + 1}};
    ctx.audit(tx, event);
    auto body = fetchScriptWithContent(tx, id);
    tx.commit();
    return ApiResponse::json(std::move(body), 201);
}
} // namespace

void registerScriptRoutes(Router& router) {
    router.add({"GET", "/api/v1/scripts", "", RouteAccess::Authenticated, listScripts});
    router.add({"POST", "/api/v1/scripts", "scripts.create", RouteAccess::Authenticated, createScript});
    router.add({"GET", "/api/v1/scripts/{id}", "", RouteAccess::Authenticated, getScript});
    router.add({"PATCH", "/api/v1/scripts/{id}", "scripts.update", RouteAccess::Authenticated, updateScript});
    router.add(
        {"DELETE", "/api/v1/scripts/{id}", "scripts.delete", RouteAccess::Authenticated, deleteScript});
    router.add({"GET", "/api/v1/scripts/{id}/versions", "", RouteAccess::Authenticated, listVersions});
    router.add(
        {"GET", "/api/v1/scripts/{id}/versions/{version}", "", RouteAccess::Authenticated, getVersion});
    router.add({"POST", "/api/v1/scripts/{id}/versions/{version}/restore", "scripts.restore",
                RouteAccess::Authenticated, restoreVersion});
}

} // namespace breeze::server
