#pragma once

#include "desktop/DesktopPolicy.h"
#include "desktop/DisplayTarget.h"
#include "protocol/DesktopControl.h"
#include "protocol/SessionMessages.h"
#include "sessions/ChannelCredit.h"
#include "sessions/LiveSession.h"

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>

namespace breeze::protocol {
struct DesktopInput;
}

namespace breeze::agent {

class ClipboardBridge;
class DesktopStream;
class LayoutWatcher;
class X11Connection;
class X11Input;

// A remote desktop: the logged-in user's display, its monitors, the picture streams the viewer asks for (one
// worker each) and the viewer's input typed into the display. Pictures wait in their stream, never here:
// the link thread takes each stream's newest as credit allows. Detaching stops every stream and lets go of
// every key and button; the viewer asks for its streams again when it comes back.
class DesktopSession : public LiveSession {
public:
    // Finds and opens the display; throws std::runtime_error with the reason to show (nobody logged in).
    DesktopSession(const protocol::SessionOpen& open, const DesktopPolicy& policy);
    // The same on a thread of its own, waited for at most `timeout`: an X server that accepts the connection
    // and never answers costs the caller (the agent's link thread) that long, not its connection. Throws with
    // the reason when the display did not answer in time.
    static std::unique_ptr<DesktopSession> openWithin(const protocol::SessionOpen& open,
                                                      const DesktopPolicy& policy,
                                                      std::chrono::milliseconds timeout);
    ~DesktopSession() override;
    DesktopSession(const DesktopSession&) = delete;
    DesktopSession& operator=(const DesktopSession&) = delete;

    const std::string& id() const override { return m_id; }
    std::uint32_t channel() const override { return m_channel; }
    void attach(std::uint32_t channel, bool resumed) override;
    void detach() override;
    Clock::time_point detachedAt() const override { return m_detachedAt; }
    Clock::time_point lastActivity() const override { return m_lastActivity; }
    int keepDetachedSeconds() const override { return m_keepDetachedSeconds; }
    int idleTimeoutSeconds() const override { return m_idleTimeoutSeconds; }
    int fd() const override { return m_wake; }
    short pollEvents() const override;
    void ready(short revents) override;
    void frame(const protocol::StreamFrame& frame) override;
    void drain(std::vector<std::string>& frames) override;
    bool finished() const override;
    std::string endReason() const override { return "the display closed"; }
    std::optional<int> exitCode() const override { return std::nullopt; }

private:
    void control(const nlohmann::json& message);
    void startStream(const protocol::DesktopStreamRequest& request);
    void layoutChanged(const std::vector<protocol::DesktopMonitor>& monitors);
    void queueControl(std::string control);
    void input(const protocol::DesktopInput& event);
    protocol::DesktopLayout layout() const;
    // What a worker calls to wake the link thread (it writes the session's eventfd).
    std::function<void()> wakeUp() const;

    std::string m_id;
    std::uint32_t m_channel = 0;
    bool m_viewOnly = false;
    bool m_recorded = false;
    DisplayTarget m_target;
    int m_wake = -1; // eventfd: a stream has something to send
    ChannelCredit m_credit;
    std::unique_ptr<X11Connection> m_connection; // the link thread's: monitors and input
    std::unique_ptr<X11Input> m_input;
    std::map<int, std::unique_ptr<DesktopStream>> m_streams;
    std::map<int, protocol::DesktopStreamRequest> m_requests; // what each stream was asked for (its monitor)
    std::unique_ptr<LayoutWatcher> m_layoutWatcher;
    std::unique_ptr<ClipboardBridge> m_clipboard; // none for a view-only session: its clipboard is not shared
    std::optional<std::pair<int, int>> m_cursorSent;
    std::optional<std::string> m_cursorShape; // the newest shape, waiting for credit
    int m_keepDetachedSeconds;
    int m_idleTimeoutSeconds;
    Clock::time_point m_detachedAt;
    Clock::time_point m_lastActivity;
};

} // namespace breeze::agent
