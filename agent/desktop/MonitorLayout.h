#pragma once

#include "protocol/DesktopControl.h"

#include <vector>

namespace breeze::agent {

class X11Connection;

// The display's monitors as XRandR names them (name, place, size, which is primary); a display without RandR
// monitors is one monitor called "screen". "*" stands for all of them as one picture.
class MonitorLayout {
public:
    static std::vector<protocol::DesktopMonitor> read(X11Connection& connection);
    // The rectangle a stream of `monitor` shows: a monitor's, or the whole screen's for "*". None: no such
    // monitor.
    static std::optional<protocol::DesktopMonitor> find(X11Connection& connection,
                                                        const std::string& monitor);
    // The same among monitors already read (one round trip less).
    static std::optional<protocol::DesktopMonitor> find(X11Connection& connection,
                                                        const std::vector<protocol::DesktopMonitor>& monitors,
                                                        const std::string& monitor);
};

} // namespace breeze::agent
