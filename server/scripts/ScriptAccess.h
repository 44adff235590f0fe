#pragma once

#include "auth/AccessScope.h"
#include "protocol/ScriptParameters.h"
#include "scripts/ScriptRunStore.h"

#include <optional>
#include <string>

namespace breeze::server {

class RequestContext;
class ScopedTransaction;

struct ScriptRef {
    std::string id;
    std::optional<std::string> orgId; // nullopt: the partner-wide library
    std::string name;
    int currentVersion = 1;
};

// Scripts ("s") a scope may read: the partner-wide library and its organisations' own scripts.
std::string scriptScopeSql(const AccessScope& scope);

enum class ScriptUse { Read, Write };

// 404 unless the caller can read the script (deleted ones are gone); for Write also 403 unless the caller may
// change it: a partner-wide script takes a partner-wide scripts:write grant, an organisation's one on the
// whole organisation.
ScriptRef requireScript(RequestContext& ctx, ScopedTransaction& tx, const std::string& id, ScriptUse use);

// The version a run or a schedule asks for (the current one when none is named; 404 when it does not exist),
// with the given values checked against its parameters before anything is queued (400 naming the parameter).
struct RunVersion {
    ScriptRunStore::Version version;
    protocol::ResolvedParameters parameters;
};
RunVersion requireRunVersion(ScriptRunStore& runs, const ScriptRef& script, std::optional<long long> number,
                             const nlohmann::json& values);

} // namespace breeze::server
