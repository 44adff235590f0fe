#pragma once

#include "agents/AgentDataFeed.h"
#include "alerts/ConditionState.h"
#include "alerts/RuleBook.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <variant>

namespace breeze::server {

class ConnectionPool;

// Evaluates alert conditions as data arrives, never by sweeping devices: each stored heartbeat is checked
// against the rules that apply to its device, presence events (online, offline) arm timers in a wheel keyed
// by due time, so the work is proportional to what changed and what is due, and no device waits for another.
// Decisions (fire, resolve, a condition's phase) are written in batches; while PostgreSQL is unreachable they
// wait in order and are written when it is back, so none is lost.
//
// Each node evaluates the heartbeats its own agents send; offline conditions are evaluated by every node from
// the shared event channel, and the unique open alert per rule and device makes that idempotent.
class AlertEngine {
public:
    struct Settings {
        // Added to the system clock: tests move time forward without waiting.
        std::chrono::milliseconds clockOffset{0};
        // A configuration change reloads the rules this long after it was heard, so a burst reloads once.
        std::chrono::milliseconds reloadDelay{300};
    };
    struct Figures {
        std::atomic<long long> samples{0};     // heartbeats evaluated
        std::atomic<long long> evaluations{0}; // rule checks made
        std::atomic<long long> fired{0};
        std::atomic<long long> resolved{0};
        std::atomic<long long> writeFailures{0};
        std::atomic<long long> lastLagMicros{0}; // from a heartbeat being stored to its alert committed
    };

    // `queued` is called after decisions that may have queued notifications committed (wakes the dispatcher).
    AlertEngine(ConnectionPool& pool, Settings settings, std::function<void()> queued);
    ~AlertEngine();
    AlertEngine(const AlertEngine&) = delete;
    AlertEngine& operator=(const AlertEngine&) = delete;

    void start();
    void stop();

    // From the data feed, on the writer's thread: copies what it needs and returns.
    void heartbeatsStored(const std::vector<AgentDataFeed::Heartbeat>& batch);
    // From the event hub: presence, alerts resolved by hand, configuration changes.
    void eventHeard(const nlohmann::json& event);

    const Figures& figures() const { return m_figures; }
    // The 99th percentile of the last 4096 lags (heartbeat stored to alert committed), in milliseconds.
    double lagP99Millis() const;
    std::int64_t nowMs() const;

private:
    struct Sample {
        protocol::Heartbeat heartbeat;
        std::chrono::steady_clock::time_point storedAt;
    };
    struct Presence {
        std::string deviceId;
        bool online = false;
    };
    struct ManualResolution {
        std::string ruleId;
        std::string deviceId;
    };
    using Event = std::variant<Presence, ManualResolution>;

    struct Fire {
        std::shared_ptr<const AlertRule> rule;
        DevicePlacement device;
        std::string title;
        std::string message;
        nlohmann::json value;
        std::chrono::steady_clock::time_point storedAt;
        bool quiet = false; // the device is in a maintenance window
    };
    struct Resolve {
        std::string ruleId;
        std::string deviceId;
        std::string resolution;
    };
    struct SaveState {
        std::string ruleId;
        DevicePlacement device;
        ConditionState state;
    };
    struct ClearState {
        std::string ruleId;
        std::string deviceId;
    };
    using Action = std::variant<Fire, Resolve, SaveState, ClearState>;

    void run();
    bool reload();
    void evaluate(const std::string& deviceId, const Sample& sample);
    void presence(const Presence& change);
    void manualResolution(const ManualResolution& resolution);
    void evaluateOffline(const std::string& deviceId);
    void fireTimers();
    // A maintenance window ended: what it kept quiet closes quietly and the conditions of its devices start
    // afresh.
    void endMaintenance(const MaintenanceWindow& window);
    void armWindowEnds();
    // Closes what a maintenance window kept quiet on the device and lets its conditions start over.
    void startAfresh(const std::string& deviceId);
    void queueResolve(const std::string& ruleId, const std::string& deviceId, const char* resolution);
    // Writes the queued decisions; false when PostgreSQL could not take them (they stay queued).
    bool flush();
    void apply(class AlertStore& store, const Action& action);
    const std::vector<EffectiveRule>& rulesFor(const DevicePlacement& device);
    const DevicePlacement* placementOf(const std::string& deviceId);
    void recordPhase(const EffectiveRule& rule, const DevicePlacement& device, ConditionState& state,
                     ConditionState::Phase before);
    void decide(const EffectiveRule& rule, const DevicePlacement& device, ConditionState::Verdict verdict,
                const nlohmann::json& value, std::chrono::steady_clock::time_point storedAt);
    void recordLag(std::chrono::steady_clock::time_point storedAt);
    static std::string stateKey(const std::string& ruleId, const std::string& deviceId);

    ConnectionPool& m_pool;
    Settings m_settings;
    std::function<void()> m_queued;
    Figures m_figures;

    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::unordered_map<std::string, Sample> m_samples; // the newest waiting sample of each device
    std::vector<Event> m_events;
    std::optional<std::chrono::steady_clock::time_point> m_reloadAt;
    std::thread m_thread;

    // The engine thread's own.
    RuleBook m_book;
    std::unordered_map<std::string, std::vector<EffectiveRule>> m_effective;
    std::unordered_map<std::string, ConditionState> m_states; // "rule/device" -> phase, absent when ok
    std::unordered_map<std::string, std::int64_t> m_offlineSince;
    std::unordered_map<std::string, std::int64_t> m_lastSampledAt;
    std::multimap<std::int64_t, std::string> m_timers;     // due (ms) -> device
    std::multimap<std::int64_t, std::size_t> m_windowEnds; // due (ms) -> index in the calendar
    std::unordered_set<std::string> m_quiet; // "rule/device" of open alerts opened inside a window
    std::deque<Action> m_actions;
    bool m_loaded = false;
    std::int64_t m_startedMs = 0;

    mutable std::mutex m_lagMutex;
    std::vector<double> m_lags;
    std::size_t m_lagNext = 0;
};

} // namespace breeze::server
