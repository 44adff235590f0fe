#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace breeze::agent {

class X11Connection;

// The pointer's position and shape as the viewer should draw it (the captured picture never contains the
// cursor, so moving it costs no video). The shape comes from XFixes when it changes; the position is asked
// for on each look.
class CursorWatcher {
public:
    struct Shape {
        int width = 0;
        int height = 0;
        int hotX = 0;
        int hotY = 0;
        std::string argb; // big-endian premultiplied ARGB, row by row (DesktopFrame's cursor data)
    };

    explicit CursorWatcher(X11Connection& connection);
    // Where the pointer is now, in whole-desktop coordinates; none when it is unchanged since the last look.
    std::optional<std::pair<int, int>> moved();
    // The new shape, once after each change (and the first look); none otherwise.
    std::optional<Shape> reshaped();

private:
    X11Connection& m_connection;
    bool m_haveFixes = false;
    int m_eventBase = 0;
    bool m_shapeChanged = true;
    unsigned long m_serial = 0;
    int m_x = -1;
    int m_y = -1;
};

} // namespace breeze::agent
