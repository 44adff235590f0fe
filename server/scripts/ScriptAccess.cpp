#include "scripts/ScriptAccess.h"

#include "db/ScopedTransaction.h"
#include "http/ApiError.h"
#include "http/RequestContext.h"
#include "protocol/MessageFields.h"

#include <pqxx/pqxx>

namespace breeze::server {

std::string scriptScopeSql(const AccessScope& scope) {
    return "(s.partner_id = '" + scope.partnerId() + "'::uuid AND (s.org_id IS NULL OR " +
           scope.sqlOrg("s.partner_id", "s.org_id") + "))";
}

ScriptRef requireScript(RequestContext& ctx, ScopedTransaction& tx, const std::string& id, ScriptUse use) {
    const AccessScope readScope = ctx.principal().scopeFor(permissions::ScriptsRead);
    const auto rows = tx.sql().exec_params(
        "SELECT s.org_id, s.name, s.current_version FROM scripts s WHERE s.id = $1 AND s.deleted_at IS NULL "
        "AND " +
            scriptScopeSql(readScope),
        id);
    if (readScope.isEmpty() || rows.empty())
        throw ApiError::notFound("script");
    const auto& row = rows[0];
    ScriptRef script{id,
                     row["org_id"].is_null() ? std::nullopt : std::optional(row["org_id"].as<std::string>()),
                     row["name"].as<std::string>(), row["current_version"].as<int>()};
    if (use == ScriptUse::Write) {
        const AccessScope scope = ctx.principal().scopeFor(permissions::ScriptsWrite);
        if (script.orgId ? !scope.allowsWholeOrg(*script.orgId) : !scope.isWholePartner())
            throw ApiError::forbidden(
                script.orgId ? "changing this script needs scripts:write on its whole organisation"
                             : "changing the partner-wide library needs a partner-wide "
                               "scripts:write grant");
    }
    return script;
}

RunVersion requireRunVersion(ScriptRunStore& runs, const ScriptRef& script, std::optional<long long> number,
                             const nlohmann::json& values) {
    auto version = runs.version(script.id, static_cast<int>(number.value_or(script.currentVersion)));
    if (!version)
        throw ApiError::notFound("script version");
    try {
        auto parameters =
            protocol::resolveScriptParameters(protocol::parseScriptParameters(version->parameters), values);
        return {std::move(*version), std::move(parameters)};
    } catch (const protocol::MessageError& error) {
        throw ApiError(400, "invalid_parameter", error.what());
    }
}

} // namespace breeze::server
