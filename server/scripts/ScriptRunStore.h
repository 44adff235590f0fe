#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace breeze::server {

class Pagination;
class ScopedTransaction;
struct DeviceTargets;

// The SQL of script runs and their executions (run_script commands): the version a run uses, the devices it
// aims at, the run and its commands, lists, output, cancelling. Columns are read by name.
class ScriptRunStore {
public:
    explicit ScriptRunStore(ScopedTransaction& tx) : m_tx(tx) {}

    struct Version {
        std::string id;
        int number = 0;
        std::string language;
        std::vector<std::string> os;
        nlohmann::json parameters; // the definitions
        int timeoutSeconds = 300;
    };
    std::optional<Version> version(const std::string& scriptId, int number);

    struct Candidate {
        std::string id, orgId, siteId, hostname, approval;
        bool revoked = false;
        std::string platform;        // "" when unknown
        nlohmann::json capabilities; // what its agent said it runs
    };
    // The devices `aim` names within `scopeSql` (over d), by host name.
    std::vector<Candidate> candidates(const DeviceTargets& aim, const std::string& scopeSql);

    struct NewRun {
        std::string partnerId;
        std::optional<std::string> orgId; // none: the run spans organisations
        std::string scriptId, versionId;
        nlohmann::json parameters, targets, refused; // parameters redacted
        long long deviceCount = 0;
        std::string requestedBy, requestedByUser; // "" when not a user
    };
    std::string insertRun(const NewRun& run);
    // One run_script command per device; device id -> command id.
    std::map<std::string, std::string> insertExecutions(const std::vector<std::string>& deviceIds,
                                                        const nlohmann::json& args, long long timeoutSeconds,
                                                        long long expiresInSeconds, const NewRun& run,
                                                        const std::string& runId);
    nlohmann::json fetchRun(const std::string& runId);
    // `scopeSql` over r (see the routes' runScopeSql).
    std::optional<nlohmann::json> run(const std::string& runId, const std::string& scopeSql);
    bool runVisible(const std::string& runId, const std::string& scopeSql);
    nlohmann::json listRuns(const std::optional<std::string>& scriptId,
                            const std::optional<std::string>& userId, const Pagination& pagination,
                            const std::string& scopeSql);

    struct ExecutionFilter {
        std::optional<std::string> deviceId, scriptId, runId, userId, orgId, siteId, status;
        std::optional<int> withinHours; // only those asked for in the last N hours
    };
    // `scopeSql` over c (see the routes' executionScopeSql).
    nlohmann::json listExecutions(const ExecutionFilter& filter, const Pagination& pagination,
                                  const std::string& scopeSql);
    std::optional<nlohmann::json> execution(const std::string& commandId, const std::string& scopeSql);

    // A stream's stored bytes from `offset` on, at most `limit` of them, stopping at a gap.
    std::string streamBytes(const std::string& commandId, int stream, long long offset, long long limit);
    struct OutputState {
        std::string status;
        std::optional<int> exitCode;
        std::string error;
        nlohmann::json result = nlohmann::json::object();
    };
    std::optional<OutputState> outputState(const std::string& commandId, const std::string& scopeSql);

    struct Cancelled {
        std::string deviceId, commandId;
        bool reachedAgent = false;
    };
    // Every unfinished execution of the run within `scopeSql` (over c).
    std::vector<Cancelled> cancelRun(const std::string& runId, const std::string& by,
                                     const std::string& scopeSql);

private:
    ScopedTransaction& m_tx;
};

} // namespace breeze::server
