#pragma once

#include "desktop/DesktopPolicy.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>

namespace breeze::agent {

// The monitors of the display a remote desktop would show, for the inventory: found and read on a thread of
// its own, waited for a bounded time, so an X server that accepts a connection and never answers costs the
// caller (the agent's reporter, which also sends heartbeats) a few seconds, never its loop. While such a
// probe is still stuck, no other is started. No graphical session (or one that went away while it was looked
// at): an empty list.
class MonitorProbe {
public:
    explicit MonitorProbe(DesktopPolicy policy) : m_policy(std::move(policy)) {}

    // [{name, display, x, y, width, height, primary}]; throws when the display did not answer in time.
    nlohmann::json monitors(std::chrono::milliseconds timeout = std::chrono::seconds(5));

private:
    DesktopPolicy m_policy;
    std::shared_ptr<std::atomic<bool>> m_stuck = std::make_shared<std::atomic<bool>>(false);
};

} // namespace breeze::agent
