#include "alerts/AlertEngine.h"

#include "alerts/AlertConfigStore.h"
#include "alerts/AlertStore.h"
#include "alerts/AlertTemplate.h"
#include "alerts/MetricReading.h"
#include "db/ConnectionPool.h"
#include "db/DatabaseUnavailable.h"
#include "db/ScopedTransaction.h"
#include "ops/JsonLogger.h"

#include <algorithm>
#include <cmath>
#include <pqxx/except>
#include <set>

namespace breeze::server {

namespace {
using SteadyClock = std::chrono::steady_clock;
constexpr std::size_t kLagWindow = 4096;
// Decisions waiting for PostgreSQL beyond this are the oldest phase records first to go; fires and
// resolutions are kept.
constexpr std::size_t kMostQueuedActions = 1'000'000;

std::string humanDuration(std::int64_t millis) {
    const std::int64_t seconds = std::max<std::int64_t>(0, millis / 1000);
    if (seconds < 120)
        return std::to_string(seconds) + " s";
    if (seconds < 7200)
        return std::to_string(seconds / 60) + " min";
    return std::to_string(seconds / 3600) + " h " + std::to_string(seconds / 60 % 60) + " min";
}

bool connectionTrouble(const std::exception& error) {
    return dynamic_cast<const pqxx::broken_connection*>(&error) != nullptr ||
           dynamic_cast<const DatabaseUnavailable*>(&error) != nullptr ||
           dynamic_cast<const pqxx::in_doubt_error*>(&error) != nullptr;
}

std::string textField(const nlohmann::json& event, const char* key) {
    const auto found = event.find(key);
    return found != event.end() && found->is_string() ? found->get<std::string>() : std::string();
}
} // namespace

AlertEngine::AlertEngine(ConnectionPool& pool, Settings settings, std::function<void()> queued)
    : m_pool(pool), m_settings(settings), m_queued(std::move(queued)) {}

AlertEngine::~AlertEngine() {
    stop();
}

void AlertEngine::start() {
    m_startedMs = nowMs();
    m_thread = std::thread([this] { run(); });
}

void AlertEngine::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

std::int64_t AlertEngine::nowMs() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               (std::chrono::system_clock::now() + m_settings.clockOffset).time_since_epoch())
        .count();
}

std::string AlertEngine::stateKey(const std::string& ruleId, const std::string& deviceId) {
    return ruleId + "/" + deviceId;
}

void AlertEngine::heartbeatsStored(const std::vector<AgentDataFeed::Heartbeat>& batch) {
    const auto now = SteadyClock::now();
    {
        std::lock_guard lock(m_mutex);
        for (const auto& stored : batch) {
            // Only the newest sample of a device matters: a drained spool's older ones describe the past.
            auto& slot = m_samples[stored.session.deviceId];
            if (slot.heartbeat.sampledAtMs <= stored.heartbeat.sampledAtMs ||
                slot.storedAt == SteadyClock::time_point{})
                slot = Sample{stored.heartbeat, now};
        }
    }
    m_wake.notify_one();
}

void AlertEngine::eventHeard(const nlohmann::json& event) {
    const std::string kind = textField(event, "kind");
    {
        std::lock_guard lock(m_mutex);
        if (kind == "online" || kind == "offline") {
            const std::string device = textField(event, "device_id");
            if (device.empty())
                return;
            m_events.emplace_back(Presence{device, kind == "online"});
        } else if (kind == "alert") {
            if (textField(event, "state") != "resolved" || textField(event, "resolution") != "by_hand")
                return;
            m_events.emplace_back(
                ManualResolution{textField(event, "rule_id"), textField(event, "device_id")});
        } else if (kind == "alert_config" || kind == "resync") {
            if (!m_reloadAt)
                m_reloadAt = SteadyClock::now() +
                             (kind == "resync" ? std::chrono::milliseconds(0) : m_settings.reloadDelay);
        } else {
            return;
        }
    }
    m_wake.notify_one();
}

double AlertEngine::lagP99Millis() const {
    std::vector<double> lags;
    {
        std::lock_guard lock(m_lagMutex);
        lags = m_lags;
    }
    if (lags.empty())
        return 0;
    std::sort(lags.begin(), lags.end());
    return lags[static_cast<std::size_t>(std::ceil(0.99 * static_cast<double>(lags.size()))) - 1];
}

void AlertEngine::recordLag(SteadyClock::time_point storedAt) {
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - storedAt).count();
    m_figures.lastLagMicros = micros;
    std::lock_guard lock(m_lagMutex);
    if (m_lags.size() < kLagWindow)
        m_lags.push_back(static_cast<double>(micros) / 1000.0);
    else
        m_lags[m_lagNext++ % kLagWindow] = static_cast<double>(micros) / 1000.0;
}

void AlertEngine::run() {
    bool flushFailed = false;
    while (true) {
        std::unordered_map<std::string, Sample> samples;
        std::vector<Event> events;
        bool reloadNow = false;
        {
            std::unique_lock lock(m_mutex);
            auto deadline = SteadyClock::now() + std::chrono::seconds(1);
            for (const std::int64_t due :
                 {m_timers.empty() ? std::int64_t{-1} : m_timers.begin()->first,
                  m_windowEnds.empty() ? std::int64_t{-1} : m_windowEnds.begin()->first}) {
                if (due < 0)
                    continue;
                const auto untilDue = std::chrono::milliseconds(std::max<std::int64_t>(0, due - nowMs()));
                deadline = std::min(deadline, SteadyClock::now() + untilDue);
            }
            if (m_reloadAt)
                deadline = std::min(deadline, *m_reloadAt);
            if (!flushFailed && m_loaded)
                m_wake.wait_until(lock, deadline, [this] {
                    return m_stopping || !m_samples.empty() || !m_events.empty() ||
                           (m_reloadAt && *m_reloadAt <= SteadyClock::now());
                });
            else
                m_wake.wait_until(lock, deadline, [this] { return m_stopping; });
            if (m_stopping)
                break;
            if (m_loaded) {
                samples.swap(m_samples);
                events.swap(m_events);
            }
            if (m_reloadAt && *m_reloadAt <= SteadyClock::now()) {
                reloadNow = true;
                m_reloadAt.reset();
            }
        }
        if (!m_loaded || reloadNow) {
            if (!reload()) {
                std::lock_guard lock(m_mutex);
                if (m_loaded && !m_reloadAt)
                    m_reloadAt = SteadyClock::now() + std::chrono::seconds(1);
            }
            if (!m_loaded)
                continue;
        }
        for (const auto& event : events) {
            if (const auto* change = std::get_if<Presence>(&event))
                presence(*change);
            else
                manualResolution(std::get<ManualResolution>(event));
        }
        for (const auto& [deviceId, sample] : samples)
            evaluate(deviceId, sample);
        fireTimers();
        flushFailed = !flush();
    }
    flush();
}

bool AlertEngine::reload() {
    RuleBook book;
    std::vector<AlertStore::StoredState> stored;
    std::vector<std::pair<std::string, std::int64_t>> offline;
    try {
        auto lease = m_pool.acquire();
        ScopedTransaction tx(*lease, SystemAccess{"the alert engine reads every rule and device"});
        book = AlertConfigStore(tx).loadAll();
        AlertStore store(tx);
        if (!m_loaded)
            stored = store.states();
        offline = store.offlineDevices();
        tx.commit();
    } catch (const std::exception& error) {
        logger().warning("alert rules could not be loaded; retrying", {{"error", error.what()}});
        return false;
    }
    m_book = std::move(book);
    m_effective.clear();
    if (!m_loaded) {
        for (const auto& state : stored) {
            m_states[stateKey(state.ruleId, state.deviceId)] = state.state;
            if (state.quiet)
                m_quiet.insert(stateKey(state.ruleId, state.deviceId));
        }
        m_loaded = true;
    }
    armWindowEnds();
    m_offlineSince.clear();
    // While this server was not running, nobody could be connected to it: a device it finds offline at start
    // gets the hold time from the start to come back, rather than firing at once for the server's own
    // downtime.
    for (const auto& [device, since] : offline)
        m_offlineSince[device] = std::max(since, m_startedMs);
    // What no longer applies ends: a rule unassigned or disabled, a device moved out of its reach.
    for (auto it = m_states.begin(); it != m_states.end();) {
        const auto slash = it->first.find('/');
        const std::string ruleId = it->first.substr(0, slash);
        const std::string deviceId = it->first.substr(slash + 1);
        const DevicePlacement* device = m_book.placement(deviceId);
        bool applies = false;
        if (device)
            for (const auto& rule : rulesFor(*device))
                applies = applies || rule.rule->id == ruleId;
        const auto phase = it->second.phase;
        if (applies) {
            ++it;
            continue;
        }
        if (phase == ConditionState::Phase::Firing || phase == ConditionState::Phase::Clearing) {
            const AlertRule* rule = m_book.rule(ruleId);
            queueResolve(ruleId, deviceId, rule && !rule->enabled ? "rule_disabled" : "no_longer_applies");
        }
        if (phase == ConditionState::Phase::Pending || phase == ConditionState::Phase::Clearing)
            m_actions.emplace_back(ClearState{ruleId, deviceId});
        it = m_states.erase(it);
    }
    // Offline conditions start over from what the database says now: firing ones whose device is back
    // resolve, offline devices get their timers.
    m_timers.clear();
    for (auto it = m_states.begin(); it != m_states.end();) {
        const auto slash = it->first.find('/');
        const AlertRule* rule = m_book.rule(it->first.substr(0, slash));
        const std::string deviceId = it->first.substr(slash + 1);
        if (rule && rule->spec.kind == ConditionSpec::Kind::Offline && !m_offlineSince.contains(deviceId)) {
            if (it->second.good() == ConditionState::Verdict::Resolve)
                queueResolve(rule->id, deviceId, "cleared");
            it = m_states.erase(it);
        } else {
            ++it;
        }
    }
    for (const auto& [device, since] : m_offlineSince)
        evaluateOffline(device);
    // A window deleted or cut short while it kept alerts quiet has ended for them now.
    std::set<std::string> released;
    for (const auto& key : m_quiet) {
        const std::string deviceId = key.substr(key.find('/') + 1);
        const DevicePlacement* device = m_book.placement(deviceId);
        if (!device || !m_book.maintenance().inMaintenance(*device, nowMs()))
            released.insert(deviceId);
    }
    for (const auto& deviceId : released)
        startAfresh(deviceId);
    logger().info("alert rules loaded", {{"rules", m_book.ruleCount()},
                                         {"devices", m_book.deviceCount()},
                                         {"offline_devices", m_offlineSince.size()},
                                         {"conditions_not_ok", m_states.size()}});
    return true;
}

const DevicePlacement* AlertEngine::placementOf(const std::string& deviceId) {
    if (const auto* known = m_book.placement(deviceId))
        return known;
    // Enrolled since the last reload: read it alone rather than reloading everything.
    try {
        auto lease = m_pool.acquire();
        ScopedTransaction tx(*lease, SystemAccess{"the alert engine places a new device"});
        auto found = AlertConfigStore(tx).placement(deviceId);
        tx.commit();
        if (!found)
            return nullptr;
        m_book.place(std::move(*found));
    } catch (const std::exception& error) {
        logger().warning("a device could not be placed for alerts",
                         {{"device_id", deviceId}, {"error", error.what()}});
        return nullptr;
    }
    return m_book.placement(deviceId);
}

const std::vector<EffectiveRule>& AlertEngine::rulesFor(const DevicePlacement& device) {
    auto found = m_effective.find(device.deviceId);
    if (found == m_effective.end())
        found = m_effective.emplace(device.deviceId, m_book.effectiveRules(device)).first;
    return found->second;
}

void AlertEngine::evaluate(const std::string& deviceId, const Sample& sample) {
    auto& last = m_lastSampledAt[deviceId];
    if (sample.heartbeat.sampledAtMs < last)
        return;
    last = sample.heartbeat.sampledAtMs;
    ++m_figures.samples;
    const DevicePlacement* device = placementOf(deviceId);
    if (!device)
        return;
    const std::int64_t now = nowMs();
    for (const auto& rule : rulesFor(*device)) {
        if (rule.spec.kind != ConditionSpec::Kind::Metric)
            continue;
        ++m_figures.evaluations;
        const auto reading = MetricReading::read(rule.spec, sample.heartbeat);
        if (!reading)
            continue;
        const std::string key = stateKey(rule.rule->id, deviceId);
        auto found = m_states.find(key);
        if (found == m_states.end() && !rule.spec.breached(reading->value))
            continue; // the common case: ok, and staying ok
        ConditionState& state = m_states[key];
        const auto before = state.phase;
        const auto verdict = state.step(rule.spec, reading->value, now);
        nlohmann::json value{{"value", reading->value},
                             {"text", rule.spec.valueText(std::round(reading->value * 10) / 10)},
                             {"threshold", rule.spec.threshold},
                             {"threshold_text", rule.spec.valueText(rule.spec.threshold)},
                             {"metric", ConditionSpec::metricName(rule.spec.metric)}};
        if (!reading->mount.empty())
            value["mount"] = reading->mount;
        decide(rule, *device, verdict, value, sample.storedAt);
        recordPhase(rule, *device, state, before);
        if (state.phase == ConditionState::Phase::Ok)
            m_states.erase(key);
    }
}

void AlertEngine::recordPhase(const EffectiveRule& rule, const DevicePlacement& device, ConditionState& state,
                              ConditionState::Phase before) {
    if (state.phase == before || rule.spec.kind == ConditionSpec::Kind::Offline)
        return;
    const bool held =
        state.phase == ConditionState::Phase::Pending || state.phase == ConditionState::Phase::Clearing;
    const bool wasHeld =
        before == ConditionState::Phase::Pending || before == ConditionState::Phase::Clearing;
    if (held)
        m_actions.emplace_back(SaveState{rule.rule->id, device, state});
    else if (wasHeld)
        m_actions.emplace_back(ClearState{rule.rule->id, device.deviceId});
}

void AlertEngine::decide(const EffectiveRule& rule, const DevicePlacement& device,
                         ConditionState::Verdict verdict, const nlohmann::json& value,
                         SteadyClock::time_point storedAt) {
    if (verdict == ConditionState::Verdict::Resolve) {
        queueResolve(rule.rule->id, device.deviceId, "cleared");
        return;
    }
    if (verdict != ConditionState::Verdict::Fire)
        return;
    const std::map<std::string, std::string> values{
        {"device", device.deviceName},
        {"rule", rule.rule->name},
        {"severity", rule.rule->severity},
        {"value", value.value("text", std::string())},
        {"threshold", value.value("threshold_text", std::string())},
        {"mount", value.value("mount", std::string())},
        {"org", device.orgName},
        {"site", device.siteName},
        {"condition", rule.spec.expression()},
        {"duration", ConditionSpec::durationText(rule.spec.holdSeconds)}};
    const bool quiet = m_book.maintenance().inMaintenance(device, nowMs());
    if (quiet)
        m_quiet.insert(stateKey(rule.rule->id, device.deviceId));
    m_actions.emplace_back(Fire{rule.rule, device, AlertTemplate::render(rule.rule->titleTemplate, values),
                                AlertTemplate::render(rule.rule->messageTemplate, values), value, storedAt,
                                quiet});
}

void AlertEngine::evaluateOffline(const std::string& deviceId) {
    const auto since = m_offlineSince.find(deviceId);
    if (since == m_offlineSince.end())
        return;
    const DevicePlacement* device = placementOf(deviceId);
    if (!device)
        return;
    const std::int64_t now = nowMs();
    for (const auto& rule : rulesFor(*device)) {
        if (rule.spec.kind != ConditionSpec::Kind::Offline)
            continue;
        ++m_figures.evaluations;
        const std::string key = stateKey(rule.rule->id, deviceId);
        ConditionState& state = m_states[key];
        // A condition resolved by hand while the device stays offline counts its hold again from then.
        const std::int64_t badSince =
            std::max(since->second, state.phase == ConditionState::Phase::Pending ? state.sinceMs : 0);
        const auto verdict = state.badSince(rule.spec, badSince, now);
        if (state.phase == ConditionState::Phase::Pending)
            m_timers.emplace(badSince + std::int64_t{rule.spec.holdSeconds} * 1000, deviceId);
        nlohmann::json value{{"value", static_cast<double>(now - since->second) / 1000.0},
                             {"text", "offline for " + humanDuration(now - since->second)},
                             {"threshold", rule.spec.holdSeconds},
                             {"threshold_text", ConditionSpec::durationText(rule.spec.holdSeconds)},
                             {"metric", "offline"},
                             {"offline_since_ms", since->second}};
        decide(rule, *device, verdict, value, SteadyClock::now());
    }
}

void AlertEngine::presence(const Presence& change) {
    if (!change.online) {
        m_offlineSince[change.deviceId] = nowMs();
        evaluateOffline(change.deviceId);
        return;
    }
    m_offlineSince.erase(change.deviceId);
    const DevicePlacement* device = placementOf(change.deviceId);
    if (!device)
        return;
    for (const auto& rule : rulesFor(*device)) {
        if (rule.spec.kind != ConditionSpec::Kind::Offline)
            continue;
        const auto found = m_states.find(stateKey(rule.rule->id, change.deviceId));
        if (found == m_states.end())
            continue;
        if (found->second.good() == ConditionState::Verdict::Resolve)
            queueResolve(rule.rule->id, change.deviceId, "cleared");
        m_states.erase(found);
    }
}

void AlertEngine::manualResolution(const ManualResolution& resolution) {
    m_quiet.erase(stateKey(resolution.ruleId, resolution.deviceId));
    const auto found = m_states.find(stateKey(resolution.ruleId, resolution.deviceId));
    if (found == m_states.end())
        return;
    // Resolved by a person while still bad: the condition must hold for its time again before it refires.
    const AlertRule* rule = m_book.rule(resolution.ruleId);
    if (found->second.phase == ConditionState::Phase::Clearing)
        m_actions.emplace_back(ClearState{resolution.ruleId, resolution.deviceId});
    if (rule && rule->spec.kind == ConditionSpec::Kind::Offline &&
        m_offlineSince.contains(resolution.deviceId)) {
        found->second = ConditionState{ConditionState::Phase::Pending, nowMs()};
        evaluateOffline(resolution.deviceId);
        return;
    }
    m_states.erase(found);
}

void AlertEngine::queueResolve(const std::string& ruleId, const std::string& deviceId,
                               const char* resolution) {
    m_quiet.erase(stateKey(ruleId, deviceId));
    m_actions.emplace_back(Resolve{ruleId, deviceId, resolution});
}

void AlertEngine::armWindowEnds() {
    m_windowEnds.clear();
    const std::int64_t now = nowMs();
    const auto& windows = m_book.maintenance().windows();
    for (std::size_t i = 0; i < windows.size(); ++i)
        if (const auto end = windows[i].nextEnd(now))
            m_windowEnds.emplace(*end, i);
}

void AlertEngine::startAfresh(const std::string& deviceId) {
    const std::int64_t now = nowMs();
    const DevicePlacement* device = m_book.placement(deviceId);
    if (!device)
        return;
    for (const auto& rule : rulesFor(*device)) {
        const std::string key = stateKey(rule.rule->id, deviceId);
        const auto state = m_states.find(key);
        if (m_quiet.contains(key)) {
            // Nothing was sent for it, so nothing is owed; if the problem is still there it fires anew.
            queueResolve(rule.rule->id, deviceId, "maintenance_ended");
            if (state != m_states.end()) {
                if (state->second.phase == ConditionState::Phase::Clearing)
                    m_actions.emplace_back(ClearState{rule.rule->id, deviceId});
                m_states.erase(state);
            }
        } else if (state != m_states.end() && state->second.phase == ConditionState::Phase::Pending) {
            m_actions.emplace_back(ClearState{rule.rule->id, deviceId});
            m_states.erase(state);
        }
    }
    // An offline device counts its hold from the window's end, as if it had just gone.
    if (const auto offline = m_offlineSince.find(deviceId); offline != m_offlineSince.end()) {
        offline->second = std::max(offline->second, now);
        evaluateOffline(deviceId);
    }
}

void AlertEngine::endMaintenance(const MaintenanceWindow& window) {
    const std::int64_t now = nowMs();
    std::vector<std::string> devices;
    m_book.forEachDevice([&](const DevicePlacement& device) {
        // A device another window still covers stays quiet until that one ends.
        if (window.covers(device) && !m_book.maintenance().inMaintenance(device, now))
            devices.push_back(device.deviceId);
    });
    for (const auto& deviceId : devices)
        startAfresh(deviceId);
    logger().info("maintenance window ended", {{"window_id", window.id}, {"devices", devices.size()}});
}

void AlertEngine::fireTimers() {
    const std::int64_t now = nowMs();
    while (!m_windowEnds.empty() && m_windowEnds.begin()->first <= now) {
        const std::size_t index = m_windowEnds.begin()->second;
        m_windowEnds.erase(m_windowEnds.begin());
        const auto& window = m_book.maintenance().windows()[index];
        endMaintenance(window);
        if (const auto next = window.nextEnd(now + 1))
            m_windowEnds.emplace(*next, index);
    }
    std::vector<std::string> due;
    while (!m_timers.empty() && m_timers.begin()->first <= now) {
        due.push_back(m_timers.begin()->second);
        m_timers.erase(m_timers.begin());
    }
    std::sort(due.begin(), due.end());
    due.erase(std::unique(due.begin(), due.end()), due.end());
    for (const auto& device : due)
        evaluateOffline(device);
}

void AlertEngine::apply(AlertStore& store, const Action& action) {
    if (const auto* fire = std::get_if<Fire>(&action)) {
        const auto fired =
            store.fire({*fire->rule, fire->device, fire->title, fire->message, fire->value, fire->quiet});
        if (fired)
            ++m_figures.fired;
    } else if (const auto* resolve = std::get_if<Resolve>(&action)) {
        if (store.resolve(resolve->ruleId, resolve->deviceId, resolve->resolution))
            ++m_figures.resolved;
    } else if (const auto* save = std::get_if<SaveState>(&action)) {
        store.saveState(save->ruleId, save->device, save->state.phase, save->state.sinceMs);
    } else {
        const auto& clear = std::get<ClearState>(action);
        store.clearState(clear.ruleId, clear.deviceId);
    }
}

bool AlertEngine::flush() {
    if (m_actions.empty())
        return true;
    while (m_actions.size() > kMostQueuedActions) {
        const auto phaseRecord = std::find_if(m_actions.begin(), m_actions.end(), [](const Action& action) {
            return std::holds_alternative<SaveState>(action) || std::holds_alternative<ClearState>(action);
        });
        if (phaseRecord == m_actions.end())
            break;
        m_actions.erase(phaseRecord);
        ++m_figures.writeFailures;
    }
    const auto finished = [this](std::size_t count) {
        for (std::size_t i = 0; i < count; ++i) {
            if (const auto* fire = std::get_if<Fire>(&m_actions.front()))
                recordLag(fire->storedAt);
            m_actions.pop_front();
        }
    };
    try {
        auto lease = m_pool.acquire();
        ScopedTransaction tx(*lease, SystemAccess{"the alert engine records its decisions"});
        AlertStore store(tx);
        for (const auto& action : m_actions)
            apply(store, action);
        tx.commit();
        finished(m_actions.size());
        if (m_queued)
            m_queued();
        return true;
    } catch (const std::exception& error) {
        if (connectionTrouble(error)) {
            ++m_figures.writeFailures;
            logger().warning("alert decisions wait for the database",
                             {{"queued", m_actions.size()}, {"error", error.what()}});
            return false;
        }
        logger().warning("a batch of alert decisions failed; writing them one by one",
                         {{"error", error.what()}});
    }
    // One decision the database refuses (its device deleted meanwhile) must not hold back the others.
    while (!m_actions.empty()) {
        try {
            auto lease = m_pool.acquire();
            ScopedTransaction tx(*lease, SystemAccess{"the alert engine records one decision"});
            AlertStore store(tx);
            apply(store, m_actions.front());
            tx.commit();
        } catch (const std::exception& error) {
            if (connectionTrouble(error)) {
                ++m_figures.writeFailures;
                return false;
            }
            ++m_figures.writeFailures;
            logger().warning("an alert decision was refused and dropped", {{"error", error.what()}});
        }
        finished(1);
    }
    if (m_queued)
        m_queued();
    return true;
}

} // namespace breeze::server
