#pragma once

#include "desktop/DisplayTarget.h"

#include <memory>
#include <string>

using Display = struct _XDisplay; // NOLINT(bugprone-reserved-identifier): Xlib's own name

namespace breeze::agent {

// One connection to an X display, opened with the session's own authority (read from its Xauthority file, so
// the agent's environment is never changed). Each thread that talks to the display owns its own connection.
//
// A display that goes away (the user logged out, the server crashed) must not take the agent with it: Xlib
// would exit the process, so this marks the connection lost instead, and every later call on it fails fast.
// Protocol errors (a window that vanished mid-request) are counted rather than fatal.
class X11Connection {
public:
    // Throws std::runtime_error saying why the display could not be opened.
    explicit X11Connection(const DisplayTarget& target);
    ~X11Connection();
    X11Connection(const X11Connection&) = delete;
    X11Connection& operator=(const X11Connection&) = delete;

    Display* display() const { return m_display; }
    const DisplayTarget& target() const { return m_target; }
    // The display closed under us; nothing more will work on this connection.
    bool lost() const;
    // Protocol errors seen since the last call (and forgets them): a request that failed, not the link.
    int takeErrors();

private:
    DisplayTarget m_target;
    Display* m_display = nullptr;
};

} // namespace breeze::agent
