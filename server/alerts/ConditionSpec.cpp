#include "alerts/ConditionSpec.h"

#include <array>
#include <cmath>
#include <set>
#include <sstream>

namespace breeze::server {

namespace {
constexpr double kMostBytes = 1e18;

struct NamedMetric {
    const char* name;
    ConditionSpec::Metric metric;
};
constexpr std::array<NamedMetric, 4> kMetrics{{{"cpu", ConditionSpec::Metric::Cpu},
                                               {"memory", ConditionSpec::Metric::Memory},
                                               {"swap", ConditionSpec::Metric::Swap},
                                               {"disk_free", ConditionSpec::Metric::DiskFree}}};

const nlohmann::json& field(const nlohmann::json& json, const char* key) {
    const auto it = json.find(key);
    if (it == json.end())
        throw ConditionError(std::string("the condition needs \"") + key + "\"");
    return *it;
}

std::string stringField(const nlohmann::json& json, const char* key) {
    const auto& value = field(json, key);
    if (!value.is_string())
        throw ConditionError(std::string("\"") + key + "\" must be a string");
    return value.get<std::string>();
}

double numberField(const nlohmann::json& value, const char* key) {
    if (!value.is_number() || !std::isfinite(value.get<double>()))
        throw ConditionError(std::string("\"") + key + "\" must be a number");
    return value.get<double>();
}

int secondsField(const nlohmann::json& value, const char* key) {
    if (!value.is_number_integer() || value.get<long long>() < 0 ||
        value.get<long long>() > ConditionSpec::kLongestSeconds)
        throw ConditionError(std::string("\"") + key + "\" must be whole seconds from 0 to 7 days");
    return static_cast<int>(value.get<long long>());
}

void refuseUnknown(const nlohmann::json& json, const std::set<std::string>& known) {
    for (const auto& [key, value] : json.items())
        if (!known.contains(key))
            throw ConditionError("the condition has an unknown field \"" + key + "\"");
}

std::string numberText(double value) {
    std::ostringstream out;
    out.precision(15);
    out << value;
    return out.str();
}
} // namespace

const char* ConditionSpec::metricName(Metric metric) {
    for (const auto& named : kMetrics)
        if (named.metric == metric)
            return named.name;
    return "?";
}

std::string ConditionSpec::durationText(int seconds) {
    if (seconds > 0 && seconds % 86400 == 0)
        return std::to_string(seconds / 86400) + "d";
    if (seconds > 0 && seconds % 3600 == 0)
        return std::to_string(seconds / 3600) + "h";
    if (seconds > 0 && seconds % 60 == 0)
        return std::to_string(seconds / 60) + "m";
    return std::to_string(seconds) + "s";
}

std::string ConditionSpec::valueText(double value) const {
    if (unit == Unit::Percent)
        return numberText(value) + "%";
    struct Step {
        double size;
        const char* name;
    };
    static constexpr std::array<Step, 8> kSteps{{{1099511627776.0, "TiB"},
                                                 {1e12, "TB"},
                                                 {1073741824.0, "GiB"},
                                                 {1e9, "GB"},
                                                 {1048576.0, "MiB"},
                                                 {1e6, "MB"},
                                                 {1024.0, "KiB"},
                                                 {1e3, "KB"}}};
    for (const auto& step : kSteps)
        if (value >= step.size && std::fmod(value, step.size) == 0)
            return numberText(value / step.size) + step.name;
    return numberText(value) + "B";
}

ConditionSpec ConditionSpec::fromJson(const nlohmann::json& json) {
    if (!json.is_object())
        throw ConditionError("the condition must be an object");
    ConditionSpec spec;
    const std::string type = stringField(json, "type");
    if (type == "offline") {
        refuseUnknown(json, {"type", "for_seconds"});
        spec.kind = Kind::Offline;
        spec.holdSeconds = secondsField(field(json, "for_seconds"), "for_seconds");
        spec.validate();
        return spec;
    }
    if (type != "metric")
        throw ConditionError("\"type\" must be metric or offline (got \"" + type + "\")");
    refuseUnknown(json, {"type", "metric", "comparison", "threshold", "unit", "clear_threshold", "mount",
                         "for_seconds", "healthy_seconds"});
    const std::string metric = stringField(json, "metric");
    bool known = false;
    for (const auto& named : kMetrics)
        if (metric == named.name) {
            spec.metric = named.metric;
            known = true;
        }
    if (!known)
        throw ConditionError("\"metric\" must be cpu, memory, swap or disk_free (got \"" + metric + "\")");
    const std::string comparison = stringField(json, "comparison");
    if (comparison != "above" && comparison != "below")
        throw ConditionError("\"comparison\" must be above or below");
    spec.comparison = comparison == "above" ? Comparison::Above : Comparison::Below;
    const std::string unit = stringField(json, "unit");
    if (unit != "percent" && unit != "bytes")
        throw ConditionError("\"unit\" must be percent or bytes");
    spec.unit = unit == "percent" ? Unit::Percent : Unit::Bytes;
    spec.threshold = numberField(field(json, "threshold"), "threshold");
    if (const auto it = json.find("clear_threshold"); it != json.end() && !it->is_null())
        spec.clearThreshold = numberField(*it, "clear_threshold");
    if (const auto it = json.find("mount"); it != json.end() && !it->is_null()) {
        if (!it->is_string())
            throw ConditionError("\"mount\" must be a string");
        spec.mount = it->get<std::string>();
    }
    spec.holdSeconds = secondsField(field(json, "for_seconds"), "for_seconds");
    spec.healthySeconds = secondsField(field(json, "healthy_seconds"), "healthy_seconds");
    spec.validate();
    return spec;
}

void ConditionSpec::validate() const {
    if (holdSeconds < 0 || holdSeconds > kLongestSeconds || healthySeconds < 0 ||
        healthySeconds > kLongestSeconds)
        throw ConditionError("durations must be from 0 seconds to 7 days");
    if (kind == Kind::Offline)
        return;
    // Quoting can lengthen a mount point; the expression people read back must fit where it is kept.
    if (expression().size() > 500)
        throw ConditionError("the condition is longer than 500 characters when written out");
    if (unit == Unit::Bytes && metric != Metric::DiskFree)
        throw ConditionError(std::string(metricName(metric)) + " is measured in percent");
    const double most = unit == Unit::Percent ? 100.0 : kMostBytes;
    const auto check = [most, this](double value, const char* what) {
        if (!std::isfinite(value) || value < 0 || value > most)
            throw ConditionError(std::string(what) + " must be from 0 to " + valueText(most));
    };
    check(threshold, "the threshold");
    if (clearThreshold) {
        check(*clearThreshold, "the clear threshold");
        if (comparison == Comparison::Above ? *clearThreshold > threshold : *clearThreshold < threshold)
            throw ConditionError("the clear threshold must be on the healthy side of the threshold (" +
                                 std::string(comparison == Comparison::Above ? "at most " : "at least ") +
                                 valueText(threshold) + ")");
    }
    if (!mount.empty() && metric != Metric::DiskFree)
        throw ConditionError("only disk_free is measured on a filesystem");
    if (mount.size() > 255)
        throw ConditionError("the mount point is longer than 255 characters");
    for (const unsigned char c : mount)
        if (c < 0x20 || c == 0x7f)
            throw ConditionError("the mount point has a control character");
}

nlohmann::json ConditionSpec::toJson() const {
    if (kind == Kind::Offline)
        return {{"type", "offline"}, {"for_seconds", holdSeconds}};
    nlohmann::json json{{"type", "metric"},
                        {"metric", metricName(metric)},
                        {"comparison", comparison == Comparison::Above ? "above" : "below"},
                        {"threshold", threshold},
                        {"unit", unit == Unit::Percent ? "percent" : "bytes"},
                        {"for_seconds", holdSeconds},
                        {"healthy_seconds", healthySeconds}};
    json["clear_threshold"] = clearThreshold ? nlohmann::json(*clearThreshold) : nlohmann::json();
    json["mount"] = mount.empty() ? nlohmann::json() : nlohmann::json(mount);
    return json;
}

std::string ConditionSpec::expression() const {
    if (kind == Kind::Offline)
        return "offline for " + durationText(holdSeconds);
    const char* op = comparison == Comparison::Above ? " > " : " < ";
    std::string text = std::string(metricName(metric)) + op + valueText(threshold);
    if (!mount.empty()) {
        std::string quoted;
        for (const char c : mount) {
            if (c == '"' || c == '\\')
                quoted += '\\';
            quoted += c;
        }
        text += " on \"" + quoted + "\"";
    }
    text += " for " + durationText(holdSeconds);
    if (clearThreshold)
        text += std::string(" clear") + (comparison == Comparison::Above ? " < " : " > ") +
                valueText(*clearThreshold);
    text += " healthy for " + durationText(healthySeconds);
    return text;
}

ConditionSpec ConditionSpec::withOverride(const nlohmann::json& override) const {
    if (override.is_null())
        return *this;
    if (!override.is_object())
        throw ConditionError("an override must be an object");
    refuseUnknown(override, {"threshold", "clear_threshold", "for_seconds", "healthy_seconds"});
    ConditionSpec spec = *this;
    if (kind == Kind::Offline && (override.contains("threshold") || override.contains("clear_threshold") ||
                                  override.contains("healthy_seconds")))
        throw ConditionError("an offline condition can only override for_seconds");
    if (const auto it = override.find("threshold"); it != override.end())
        spec.threshold = numberField(*it, "threshold");
    if (const auto it = override.find("clear_threshold"); it != override.end())
        spec.clearThreshold =
            it->is_null() ? std::nullopt : std::optional<double>(numberField(*it, "clear_threshold"));
    if (const auto it = override.find("for_seconds"); it != override.end())
        spec.holdSeconds = secondsField(*it, "for_seconds");
    if (const auto it = override.find("healthy_seconds"); it != override.end())
        spec.healthySeconds = secondsField(*it, "healthy_seconds");
    spec.validate();
    return spec;
}

bool ConditionSpec::breached(double value) const {
    return comparison == Comparison::Above ? value > threshold : value < threshold;
}

bool ConditionSpec::healthy(double value) const {
    const double clear = effectiveClearThreshold();
    // Without a separate clear threshold, healthy is simply "not breached".
    if (!clearThreshold)
        return !breached(value);
    return comparison == Comparison::Above ? value < clear : value > clear;
}

} // namespace breeze::server
