#pragma once

#include "alerts/AlertRule.h"
#include "alerts/ConditionState.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace breeze::server {

class Pagination;
class ScopedTransaction;

// The alerts table and its lifecycle in SQL: firing (a new alert, or the recently resolved one reopened),
// resolving (always through breeze_alert_resolve, which owes each notified channel its resolution), the
// conditions' persisted phases, and what people list, acknowledge and resolve.
class AlertStore {
public:
    explicit AlertStore(ScopedTransaction& tx) : m_tx(tx) {}

    // The alert as the API and notifications show it: json_build_object(...) over alias `a`.
    static const char* jsonSql();

    struct Firing {
        const AlertRule& rule;
        const DevicePlacement& device;
        std::string title;
        std::string message;
        nlohmann::json value;
        bool quiet = false; // inside a maintenance window: recorded, nothing sent
    };
    struct Fired {
        std::string alertId;
        bool reopened = false;
        bool flapping = false;
        int notified = 0; // notifications queued
    };
    // Nothing when the alert is already open (another node, or a restart, opened it).
    std::optional<Fired> fire(const Firing& firing);
    // Resolves the open alert of (rule, device), if any; `resolution` is cleared, rule_disabled, ….
    bool resolve(const std::string& ruleId, const std::string& deviceId, const std::string& resolution);

    void saveState(const std::string& ruleId, const DevicePlacement& device, ConditionState::Phase phase,
                   std::int64_t sinceMs);
    void clearState(const std::string& ruleId, const std::string& deviceId);

    struct StoredState {
        std::string ruleId;
        std::string deviceId;
        ConditionState state;
        bool quiet = false; // an open alert opened inside a maintenance window
    };
    // Open alerts (as Firing) and the pending and clearing phases, to start from after a restart.
    std::vector<StoredState> states();
    // Devices offline now, with when they went offline (ms since the epoch).
    std::vector<std::pair<std::string, std::int64_t>> offlineDevices();
    // The open alerts of rules that no longer apply to their device (unassigned, disabled, deleted device
    // moved): the engine resolves them after each reload.
    std::vector<std::pair<std::string, std::string>> openAlerts();

    struct Filter {
        std::optional<std::string> state; // active, acknowledged, resolved, open (active or acknowledged)
        std::optional<std::string> severity;
        std::optional<std::string> deviceId;
        std::optional<std::string> ruleId;
        std::optional<std::string> orgId;
        std::optional<std::string> siteId;
    };
    nlohmann::json list(const Filter& filter, const Pagination& pagination, const std::string& scopeSql);
    std::optional<nlohmann::json> find(const std::string& id, const std::string& scopeSql);
    // Counts of open alerts by severity, for the dashboard.
    nlohmann::json summary(const std::string& scopeSql);
    // Only an active alert; false when it is not (already acknowledged or resolved).
    bool acknowledge(const std::string& id, const std::string& who, const std::string& note);
    bool resolveByHand(const std::string& id, const std::string& who);

private:
    ScopedTransaction& m_tx;
};

} // namespace breeze::server
