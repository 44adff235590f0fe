#pragma once

#include "db/ScopedTransaction.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace breeze::server {

class AccessScope;
class Pagination;

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
// What may narrow a page of the audit log; every value checked by the caller.
struct AuditFilter {
    std::optional<std::string> orgId;
    std::optional<std::string> action;     // "orgs." matches every action on organisations
    std::optional<std::string> actorId;    // a user's or key's id
    std::optional<std::string> actorLabel; // or its label, without regard to case
    std::optional<std::string> result;
    std::optional<std::string> resourceId;
    std::optional<std::string> since, until; // RFC 3339
};

class AuditLog {
public:
    static void record(ScopedTransaction& tx, const AuditEvent& event);
    static AuditVerification verify(ScopedTransaction& tx);
    // A page, newest first, within what the caller's scope may read. Throws pqxx::data_exception when since
    // or until is not a time PostgreSQL accepts.
    static nlohmann::json list(ScopedTransaction& tx, const AuditFilter& filter, const Pagination& pagination,
                               const AccessScope& scope);
};

} // namespace breeze::server
