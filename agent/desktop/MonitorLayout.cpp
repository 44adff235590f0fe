#include "desktop/MonitorLayout.h"

#include "desktop/X11Connection.h"
#include "protocol/DesktopFrame.h"

#include <X11/Xlib.h>
#include <X11/extensions/Xrandr.h>
#include <algorithm>
#include <cstdlib>

namespace breeze::agent {

namespace {
protocol::DesktopMonitor wholeScreen(Display* display, const char* name) {
    // Asked of the server each time: the connection's own idea of the screen's size is the size it had when
    // the connection was made (RandR changes it).
    Window root = 0;
    int x = 0;
    int y = 0;
    unsigned width = 0;
    unsigned height = 0;
    unsigned border = 0;
    unsigned depth = 0;
    if (!XGetGeometry(display, DefaultRootWindow(display), &root, &x, &y, &width, &height, &border, &depth)) {
        width = static_cast<unsigned>(DisplayWidth(display, DefaultScreen(display)));
        height = static_cast<unsigned>(DisplayHeight(display, DefaultScreen(display)));
    }
    return {name,
            0,
            0,
            std::min(static_cast<int>(width), protocol::kMaxDesktopDimension),
            std::min(static_cast<int>(height), protocol::kMaxDesktopDimension),
            true};
}
} // namespace

std::vector<protocol::DesktopMonitor> MonitorLayout::read(X11Connection& connection) {
    Display* display = connection.display();
    std::vector<protocol::DesktopMonitor> monitors;
    int event = 0;
    int error = 0;
    if (XRRQueryExtension(display, &event, &error)) {
        int count = 0;
        if (XRRMonitorInfo* info = XRRGetMonitors(display, DefaultRootWindow(display), True, &count)) {
            for (int i = 0; i < count && monitors.size() < 16; ++i) {
                if (info[i].width <= 0 || info[i].height <= 0)
                    continue;
                char* atomName = XGetAtomName(display, info[i].name);
                std::string name = atomName ? atomName : "monitor-" + std::to_string(i + 1);
                if (atomName)
                    XFree(atomName);
                if (name.empty() || name.size() > 64 || name == "*" ||
                    !std::all_of(name.begin(), name.end(), [](char c) { return c > 0x20 && c < 0x7f; }))
                    name = "monitor-" + std::to_string(i + 1);
                // What the protocol can say (a display larger than that is shown up to its edge).
                info[i].width = std::min(info[i].width, protocol::kMaxDesktopDimension);
                info[i].height = std::min(info[i].height, protocol::kMaxDesktopDimension);
                if (std::abs(info[i].x) > 4 * protocol::kMaxDesktopDimension ||
                    std::abs(info[i].y) > 4 * protocol::kMaxDesktopDimension)
                    continue;
                monitors.push_back(
                    {name, info[i].x, info[i].y, info[i].width, info[i].height, info[i].primary != 0});
            }
            XRRFreeMonitors(info);
        }
    }
    if (monitors.empty())
        monitors.push_back(wholeScreen(display, "screen"));
    // A display always has a primary monitor to a person (the one with the panel); RandR marks none when no
    // one chose: the first is.
    if (std::none_of(monitors.begin(), monitors.end(), [](const auto& m) { return m.primary; }))
        monitors.front().primary = true;
    return monitors;
}

std::optional<protocol::DesktopMonitor> MonitorLayout::find(X11Connection& connection,
                                                            const std::string& monitor) {
    return monitor == "*" ? wholeScreen(connection.display(), "*")
                          : find(connection, read(connection), monitor);
}

std::optional<protocol::DesktopMonitor>
MonitorLayout::find(X11Connection& connection, const std::vector<protocol::DesktopMonitor>& monitors,
                    const std::string& monitor) {
    if (monitor == "*")
        return wholeScreen(connection.display(), "*");
    for (const auto& candidate : monitors)
        if (candidate.name == monitor)
            return candidate;
    return std::nullopt;
}

} // namespace breeze::agent
