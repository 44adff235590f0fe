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
#include "scripts/ScriptStore.h"
#include "tenancy/TenantLookup.h"

#include <set>

namespace breeze::server {

namespace {
using namespace permissions;

using VersionFields = ScriptVersion;

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

VersionFields loadVersion(ScopedTransaction& tx, const std::string& scriptId, int number) {
    auto version = ScriptStore(tx).version(scriptId, number);
    if (!version)
        throw ApiError::notFound("script version");
    return *version;
}

void insertVersion(RequestContext& ctx, ScopedTransaction& tx, const std::string& scriptId,
                   const std::string& partnerId, const std::optional<std::string>& orgId, int number,
                   const VersionFields& version, std::optional<int> restoredFrom) {
    const AuditEvent who = ctx.auditEvent("", "", "");
    ScriptStore(tx).insertVersion(
        scriptId, partnerId, orgId, number, version, restoredFrom,
        {who.actorLabel, who.actorType == "user" ? who.actorId.value_or("") : std::string()});
}

nlohmann::json fetchScriptWithContent(ScopedTransaction& tx, const std::string& id) {
    return ScriptStore(tx).fetchWithContent(id);
}

ApiResponse listScripts(RequestContext& ctx) {
    const AccessScope scope = ctx.require(ScriptsRead);
    Pagination pagination(ctx);
    ScriptStore::Filter filter;
    filter.orgId = ctx.uuidQuery("org");
    if (const auto name = ctx.query("name"))
        filter.name = name->substr(0, 200);
    if (const auto library = ctx.query("library")) {
        if (*library != "partner" && *library != "org")
            throw ApiError::badRequest("library must be partner or org");
        filter.partnerLibrary = *library == "partner";
    }
    if (const auto category = ctx.query("category"))
        filter.category = category->substr(0, 100);
    if (const auto tag = ctx.query("tag"))
        filter.tag = tag->substr(0, 64);
    if (const auto language = ctx.query("language")) {
        if (!protocol::isScriptLanguage(*language))
            throw ApiError::badRequest("language must be bash, sh, python or powershell");
        filter.language = language;
    }
    if (const auto search = ctx.query("q"))
        filter.search = search->substr(0, 100);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    return ApiResponse::json(ScriptStore(tx).list(filter, pagination, scriptScopeSql(scope)));
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
        id = ScriptStore(tx).insertScript(scope.partnerId(), orgId, name, description, category,
                                          textArrayLiteral(tags), event.actorLabel);
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
    const int current = ScriptStore(tx).lockCurrentVersion(id);
    VersionFields version = loadVersion(tx, id, current);
    const VersionFields before = version;
    // A save that changes nothing that runs (the same content sent again) makes no version.
    const bool versioned = readVersionFields(fields, version, false) && version != before;
    fields.finish();
    try {
        ScriptStore(tx).updateScript(id, name, description, category,
                                     tags ? std::optional(textArrayLiteral(*tags)) : std::nullopt,
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
    ScriptStore(tx).markDeleted(id);
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
    return ApiResponse::json({{"items", ScriptStore(tx).versions(id)}});
}

ApiResponse getVersion(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "script");
    const int number = versionParam(ctx);
    const AccessScope scope = ctx.require(ScriptsRead);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    requireScript(ctx, tx, id, ScriptUse::Read);
    auto body = ScriptStore(tx).versionWithContent(id, number);
    if (!body)
        throw ApiError::notFound("script version");
    return ApiResponse::json(std::move(*body));
}

// Restoring never rewrites history: the old version's settings become a new, current version.
ApiResponse restoreVersion(RequestContext& ctx) {
    const std::string id = ctx.pathId("id", "script");
    const int number = versionParam(ctx);
    const AccessScope scope = ctx.require(ScriptsWrite);
    auto lease = ctx.server.pool.acquire();
    ScopedTransaction tx(*lease, scope);
    const ScriptRef script = requireScript(ctx, tx, id, ScriptUse::Write);
    const int current = ScriptStore(tx).lockCurrentVersion(id);
    VersionFields version = loadVersion(tx, id, number);
    version.note = "restored from version " + std::to_string(number);
    insertVersion(ctx, tx, id, scope.partnerId(), script.orgId, current + 1, version, number);
    ScriptStore(tx).setCurrentVersion(id, current + 1);
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
    router.add({HttpMethod::Get, "/api/v1/scripts", "", RouteAccess::Authenticated, listScripts});
    router.add(
        {HttpMethod::Post, "/api/v1/scripts", "scripts.create", RouteAccess::Authenticated, createScript});
    router.add({HttpMethod::Get, "/api/v1/scripts/{id}", "", RouteAccess::Authenticated, getScript});
    router.add({HttpMethod::Patch, "/api/v1/scripts/{id}", "scripts.update", RouteAccess::Authenticated,
                updateScript});
    router.add({HttpMethod::Delete, "/api/v1/scripts/{id}", "scripts.delete", RouteAccess::Authenticated,
                deleteScript});
    router.add(
        {HttpMethod::Get, "/api/v1/scripts/{id}/versions", "", RouteAccess::Authenticated, listVersions});
    router.add({HttpMethod::Get, "/api/v1/scripts/{id}/versions/{version}", "", RouteAccess::Authenticated,
                getVersion});
    router.add({HttpMethod::Post, "/api/v1/scripts/{id}/versions/{version}/restore", "scripts.restore",
                RouteAccess::Authenticated, restoreVersion});
}

} // namespace breeze::server
