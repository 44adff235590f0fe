#include "alerts/MetricReading.h"

#include <cmath>

namespace breeze::server {

namespace {
std::optional<double> percentUsed(std::uint64_t used, std::uint64_t total) {
    if (total == 0)
        return std::nullopt;
    return 100.0 * static_cast<double>(used) / static_cast<double>(total);
}

double freeValue(const ConditionSpec& spec, const protocol::FilesystemUsage& filesystem) {
    if (spec.unit == ConditionSpec::Unit::Percent)
        return 100.0 - filesystem.usedPercent();
    const std::uint64_t available = filesystem.availableBytes.value_or(
        filesystem.totalBytes > filesystem.usedBytes ? filesystem.totalBytes - filesystem.usedBytes : 0);
    return static_cast<double>(available);
}
} // namespace

std::optional<MetricReading> MetricReading::read(const ConditionSpec& spec,
                                                 const protocol::Heartbeat& heartbeat) {
    std::optional<double> value;
    switch (spec.metric) {
    case ConditionSpec::Metric::Cpu:
        value = heartbeat.cpuPercent;
        break;
    case ConditionSpec::Metric::Memory:
        value = percentUsed(heartbeat.memoryUsedBytes, heartbeat.memoryTotalBytes);
        break;
    case ConditionSpec::Metric::Swap:
        value = percentUsed(heartbeat.swapUsedBytes, heartbeat.swapTotalBytes);
        break;
    case ConditionSpec::Metric::DiskFree: {
        std::optional<MetricReading> worst;
        for (const auto& filesystem : heartbeat.filesystems) {
            if (filesystem.totalBytes == 0 || (!spec.mount.empty() && filesystem.mount != spec.mount))
                continue;
            const double free = freeValue(spec, filesystem);
            if (!worst || free < worst->value)
                worst = MetricReading{free, filesystem.mount};
        }
        return worst;
    }
    }
    if (!value || !std::isfinite(*value))
        return std::nullopt;
    return MetricReading{*value, {}};
}

} // namespace breeze::server
