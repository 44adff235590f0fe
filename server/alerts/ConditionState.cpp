#include "alerts/ConditionState.h"

namespace breeze::server {

namespace {
std::int64_t millis(int seconds) {
    return std::int64_t{seconds} * 1000;
}
} // namespace

ConditionState::Verdict ConditionState::step(const ConditionSpec& spec, double value, std::int64_t nowMs) {
    switch (phase) {
    case Phase::Ok:
        if (!spec.breached(value))
            return Verdict::None;
        phase = Phase::Pending;
        sinceMs = nowMs;
        [[fallthrough]];
    case Phase::Pending:
        if (!spec.breached(value)) {
            phase = Phase::Ok;
            return Verdict::None;
        }
        if (nowMs - sinceMs < millis(spec.holdSeconds))
            return Verdict::None;
        phase = Phase::Firing;
        return Verdict::Fire;
    case Phase::Firing:
        if (!spec.healthy(value))
            return Verdict::None;
        phase = Phase::Clearing;
        sinceMs = nowMs;
        [[fallthrough]];
    case Phase::Clearing:
        if (!spec.healthy(value)) {
            phase = Phase::Firing;
            return Verdict::None;
        }
        if (nowMs - sinceMs < millis(spec.healthySeconds))
            return Verdict::None;
        phase = Phase::Ok;
        return Verdict::Resolve;
    }
    return Verdict::None;
}

ConditionState::Verdict ConditionState::badSince(const ConditionSpec& spec, std::int64_t badSinceMs,
                                                 std::int64_t nowMs) {
    if (phase == Phase::Firing || phase == Phase::Clearing) {
        phase = Phase::Firing;
        return Verdict::None;
    }
    phase = Phase::Pending;
    sinceMs = badSinceMs;
    if (nowMs - badSinceMs < millis(spec.holdSeconds))
        return Verdict::None;
    phase = Phase::Firing;
    return Verdict::Fire;
}

ConditionState::Verdict ConditionState::good() {
    const bool firing = phase == Phase::Firing || phase == Phase::Clearing;
    phase = Phase::Ok;
    return firing ? Verdict::Resolve : Verdict::None;
}

const char* ConditionState::phaseName(Phase phase) {
    switch (phase) {
    case Phase::Ok:
        return "ok";
    case Phase::Pending:
        return "pending";
    case Phase::Firing:
        return "firing";
    case Phase::Clearing:
        return "clearing";
    }
    return "ok";
}

} // namespace breeze::server
