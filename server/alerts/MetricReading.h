#pragma once

#include "alerts/ConditionSpec.h"
#include "protocol/AgentMessages.h"

#include <optional>
#include <string>

namespace breeze::server {

// The value a metric condition compares, read from one heartbeat: CPU, memory and swap in percent used,
// disk_free in percent or bytes free on the named filesystem or on the fullest one. Nothing when the
// heartbeat does not carry it (no swap, no such mount).
struct MetricReading {
    double value = 0;
    std::string mount; // disk_free: the filesystem the value is about

    static std::optional<MetricReading> read(const ConditionSpec& spec, const protocol::Heartbeat& heartbeat);
};

} // namespace breeze::server
