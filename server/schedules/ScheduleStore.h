#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace breeze::server {

class ScopedTransaction;

// The SQL of scheduled script runs: adding, listing and removing schedules within a scope, and claiming those
// that are due (one server claims each, through row locks) with their outcome recorded afterwards.
class ScheduleStore {
public:
    explicit ScheduleStore(ScopedTransaction& tx) : m_tx(tx) {}

    struct NewSchedule {
        std::string partnerId;
        std::optional<std::string> orgId;
        std::string scriptId;
        std::string createdBy;
        std::string createdByLabel;
        nlohmann::json targets;
        std::optional<long long> version;
        std::optional<long long> timeoutSeconds;
        std::string sealedParameters;
        nlohmann::json parametersShown;
        std::string runAt; // as given (PostgreSQL reads it; a data exception when it is not a time)
        std::string repeat;
        std::string timezone;
    };
    static constexpr long long kMostPerPartner = 1000;
    long long count(const std::string& partnerId);
    // The schedule as listed; its next_run_at is null when its only time has passed. A time without an offset
    // is read in the schedule's time zone.
    nlohmann::json insert(const NewSchedule& schedule);
    bool timezoneKnown(const std::string& zone);
    // The organisation of a site or device group.
    std::optional<std::string> organisationOf(const std::optional<std::string>& siteId,
                                              const std::optional<std::string>& groupId);
    // `scopeSql` over s.partner_id and s.org_id (NULL: partner-wide).
    nlohmann::json list(const std::optional<std::string>& scriptId, const std::string& scopeSql);
    std::optional<nlohmann::json> find(const std::string& id, const std::string& scopeSql);
    void remove(const std::string& id);

    struct Due {
        std::string id;
        std::string partnerId;
        std::optional<std::string> orgId;
        std::string scriptId;
        std::string createdBy;
        nlohmann::json targets;
        std::optional<long long> version;
        std::optional<long long> timeoutSeconds;
        std::string sealedParameters;
    };
    // Up to `limit` schedules whose time has come, moved on to their next time (or finished) in the caller's
    // transaction: once it commits, no other server runs them for this time.
    std::vector<Due> claimDue(int limit);
    void recordRun(const std::string& id, const std::string& runId);
    void recordFailure(const std::string& id, const std::string& error);

private:
    ScopedTransaction& m_tx;
};

} // namespace breeze::server
