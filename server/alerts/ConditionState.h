#pragma once

#include "alerts/ConditionSpec.h"

#include <cstdint>

namespace breeze::server {

// Where one rule stands on one device: ok, pending (bad since, not yet long enough to fire), firing, or
// clearing (healthy since, not yet long enough to resolve). `step` moves it on with each measured value.
struct ConditionState {
    enum class Phase { Ok, Pending, Firing, Clearing };
    enum class Verdict { None, Fire, Resolve };

    Phase phase = Phase::Ok;
    std::int64_t sinceMs = 0; // when Pending or Clearing began

    // Applies one value measured at `nowMs`; returns what the alert must do. Firing needs the value bad for
    // the hold time; resolving needs it healthy (beyond the clear threshold) for the healthy time, and a
    // value between the two thresholds keeps a firing alert firing.
    Verdict step(const ConditionSpec& spec, double value, std::int64_t nowMs);
    // Time-driven conditions (offline): bad from `sinceMs` on; fires once the hold has passed by `nowMs`.
    Verdict badSince(const ConditionSpec& spec, std::int64_t badSinceMs, std::int64_t nowMs);
    // The condition is over (the device is back): a firing alert resolves at once.
    Verdict good();

    static const char* phaseName(Phase phase);
};

} // namespace breeze::server
