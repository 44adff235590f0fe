#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace breeze::server {

// A condition that cannot be used: the message says what and how to write it instead.
class ConditionError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// What an alert rule watches, in its canonical form (stored as JSON, shown as an expression people write):
// a metric held beyond a threshold for a time, or a device offline for a time. Hysteresis is part of it: a
// metric alert clears only below (or above) its clear threshold, and only after staying healthy for a while.
struct ConditionSpec {
    enum class Kind { Metric, Offline };
    enum class Metric { Cpu, Memory, Swap, DiskFree };
    enum class Comparison { Above, Below };
    enum class Unit { Percent, Bytes };

    static constexpr int kLongestSeconds = 7 * 86400;

    Kind kind = Kind::Metric;
    Metric metric = Metric::Cpu;
    Comparison comparison = Comparison::Above;
    Unit unit = Unit::Percent;
    double threshold = 0;
    // Where the alert clears; the threshold itself when not given.
    std::optional<double> clearThreshold;
    std::string mount; // disk_free: a filesystem's mount point; empty: whichever is fullest
    int holdSeconds = 0;
    int healthySeconds = 0;

    // Strict: unknown fields, wrong types and values out of range throw ConditionError.
    static ConditionSpec fromJson(const nlohmann::json& json);
    nlohmann::json toJson() const;
    // As `breeze-admin alert-rules create --condition` takes it: "cpu > 90% for 5m clear < 80% healthy for
    // 5m".
    std::string expression() const;
    // The same condition with an assignment's changes ({"threshold", "clear_threshold", "for_seconds",
    // "healthy_seconds"}), checked as strictly.
    ConditionSpec withOverride(const nlohmann::json& override) const;
    // Checks the fields' ranges and their consistency; throws ConditionError.
    void validate() const;

    bool breached(double value) const;
    // Whether a value is healthy enough to end a firing alert (beyond the clear threshold).
    bool healthy(double value) const;
    double effectiveClearThreshold() const { return clearThreshold.value_or(threshold); }

    static const char* metricName(Metric metric);
    // "5m", "90s", "1h": the largest unit that divides the seconds.
    static std::string durationText(int seconds);
    // "10%", "5GB", "512MiB" as the unit says.
    std::string valueText(double value) const;
};

} // namespace breeze::server
