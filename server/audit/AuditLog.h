#pragma once

#include "db/ScopedTransaction.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace breeze::server {

struct AuditEvent {
    std::optional<std::string> partnerId;
    std::optional<std::string> orgId;
    std::string actorType = "anonymous"; // user, api_key, agent, system, anonymous
    std::optional<std::string> actorId;
    std::string actorLabel;
    std::string address;
    std::string requestId;
    std::string action; // "orgs.create", "auth.login", ...
    std::string resourceType;
    std::string resourceId;
    std::string result = "success"; // success, failure, denied
    nlohmann::json details = nlohmann::json::object();
};

struct AuditVerification {
    bool intact;
    long long checked;
    std::optional<long long> firstBadId;
};

// The append-only, hash-chained audit log (migrations/0002). Recording inside the caller's transaction makes
// a change and its audit row commit or vanish together.
class AuditLog {
public:
    static void record(ScopedTransaction& tx, const AuditEvent& event);
    static AuditVerification verify(ScopedTransaction& tx);
};

} // namespace breeze::server
