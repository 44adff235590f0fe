#pragma once

#include "protocol/SessionMessages.h"
#include "protocol/StreamFrame.h"
#include "sessions/ChannelCredit.h"
#include "sessions/LiveSession.h"
#include "sessions/ScreenMirror.h"
#include "sessions/TerminalPolicy.h"

#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace breeze::agent {

// One remote terminal: a login shell on a pseudo-terminal (xterm-256color, UTF-8), its screen mirrored, and
// the credit-bounded traffic with the console it is attached to. The shell's output is read only as fast as
// the console's credit allows, so a slow console slows the shell; while detached the output is still read
// (into the mirror alone), so nothing on the device stalls while the technician is away.
class TerminalSession : public LiveSession {
public:
    // Starts the shell; throws std::runtime_error with a reason to show.
    TerminalSession(const protocol::SessionOpen& open, const TerminalPolicy& policy);
    ~TerminalSession() override;
    TerminalSession(const TerminalSession&) = delete;
    TerminalSession& operator=(const TerminalSession&) = delete;

    const std::string& id() const override { return m_id; }
    std::uint32_t channel() const override { return m_channel; }
    // A console attached on `channel`: fresh credit, "ready", and the whole screen first when it resumes.
    void attach(std::uint32_t channel, bool resumed) override;
    void detach() override;
    Clock::time_point detachedAt() const override { return m_detachedAt; }
    Clock::time_point lastActivity() const override { return m_lastActivity; }
    int keepDetachedSeconds() const override { return m_keepDetachedSeconds; }
    int idleTimeoutSeconds() const override { return m_idleTimeoutSeconds; }

    int fd() const override { return m_master; }
    short pollEvents() const override;
    void ready(short revents) override;
    // A frame from the console (input, a resize, credit).
    void frame(const protocol::StreamFrame& frame) override;
    // Frames to send now, within the console's credit.
    void drain(std::vector<std::string>& frames) override;
    // The shell has exited and everything it printed has been sent (or there is no console to send it to).
    bool finished() const override;
    std::optional<int> exitCode() const override { return m_exitCode; }
    std::string endReason() const override {
        return m_runsCommand ? "the command exited" : "the shell exited";
    }
    const ScreenMirror& mirror() const { return m_mirror; }

private:
    void readOutput();
    void writeInput();
    void checkExit();
    void noteEcho();

    std::string m_id;
    std::uint32_t m_channel = 0;
    int m_master = -1;
    pid_t m_child = -1;
    bool m_hungUp = false; // the pseudo-terminal has no writer left
    std::optional<int> m_exitCode;
    ScreenMirror m_mirror;
    std::string m_output; // shell output waiting for credit (and the snapshot, first)
    std::string m_input;  // console input waiting for the pseudo-terminal
    ChannelCredit m_credit;
    std::optional<bool> m_echo;
    bool m_runsCommand = false;
    int m_keepDetachedSeconds;
    int m_idleTimeoutSeconds;
    Clock::time_point m_detachedAt;
    Clock::time_point m_lastActivity;
};

} // namespace breeze::agent
