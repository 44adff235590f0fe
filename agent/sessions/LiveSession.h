#pragma once

#include "protocol/StreamFrame.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace breeze::agent {

// One live session on the device (a terminal, a file session) as the SessionHost drives it on the link
// thread: attached to a channel or not, polled, fed the console's frames, drained of its own within credit.
class LiveSession {
public:
    using Clock = std::chrono::steady_clock;

    virtual ~LiveSession() = default;

    virtual const std::string& id() const = 0;
    virtual std::uint32_t channel() const = 0;
    virtual void attach(std::uint32_t channel, bool resumed) = 0;
    virtual void detach() = 0;
    virtual Clock::time_point detachedAt() const = 0;
    virtual Clock::time_point lastActivity() const = 0;
    virtual int keepDetachedSeconds() const = 0;
    virtual int idleTimeoutSeconds() const = 0;
    // A descriptor to poll (-1: none) and for what.
    virtual int fd() const = 0;
    virtual short pollEvents() const = 0;
    virtual void ready(short revents) = 0;
    virtual void frame(const protocol::StreamFrame& frame) = 0;
    virtual void drain(std::vector<std::string>& frames) = 0;
    // Has more to send now (its last drain stopped at its budget, not for want of credit).
    virtual bool wantsTurn() const { return false; }
    // Over on its own (the shell exited); why, and its exit code when it has one.
    virtual bool finished() const = 0;
    virtual std::string endReason() const = 0;
    virtual std::optional<int> exitCode() const = 0;
};

} // namespace breeze::agent
