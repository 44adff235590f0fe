#pragma once

#include "protocol/AgentMessages.h"

#include <cstdint>
#include <optional>
#include <string>

namespace breeze::agent {

// Samples how the machine is doing for a heartbeat (Linux: /proc, statvfs, utmp). CPU use is measured
// between two calls, so the first sample reports the average since boot.
class MetricsCollector {
public:
    explicit MetricsCollector(std::string procRoot = "/proc") : m_proc(std::move(procRoot)) {}
    protocol::Heartbeat sample();

private:
    double cpuPercent();

    std::string m_proc;
    std::uint64_t m_lastBusy = 0;
    std::uint64_t m_lastTotal = 0;
};

} // namespace breeze::agent
