#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace breeze::agent {

// The device's side of one session channel's credit (protocol/SessionMessages.h): what the console still
// takes, what the device has used of the console's frames and not yet given back, and the control messages
// waiting for credit. Every live session keeps one; the rules live here once.
class ChannelCredit {
public:
    explicit ChannelCredit(std::uint64_t window) : m_window(window) {}

    // A new attachment: a full window each way, nothing owed, nothing waiting.
    void reset();
    // A Window frame's payload from the console (never beyond one window outstanding).
    void granted(std::string_view payload);
    // Bytes of the console's frames the device has used (payload plus frame cost).
    void consumed(std::uint64_t bytes) { m_toGrant += bytes; }
    void queueControl(std::string json) { m_controls.push_back(std::move(json)); }
    void clearControls() { m_controls.clear(); }
    bool controlsPending() const { return !m_controls.empty(); }
    std::size_t controlsWaiting() const { return m_controls.size(); }
    std::uint64_t available() const { return m_credit; }
    // Takes `cost` from the credit; false (and nothing taken) when there is not that much.
    bool spend(std::uint64_t cost);
    // The Window frame when a quarter of the window is owed, then the control messages credit allows.
    void drainControls(std::uint32_t channel, std::vector<std::string>& frames);

private:
    std::uint64_t m_window;
    std::uint64_t m_credit = 0;
    std::uint64_t m_toGrant = 0;
    std::deque<std::string> m_controls;
};

} // namespace breeze::agent
