#include "desktop/CursorWatcher.h"

#include "desktop/X11Connection.h"
#include "protocol/DesktopFrame.h"

#include <X11/Xlib.h>
#include <X11/extensions/Xfixes.h>
#include <algorithm>

namespace breeze::agent {

CursorWatcher::CursorWatcher(X11Connection& connection) : m_connection(connection) {
    Display* display = connection.display();
    int error = 0;
    int major = 5;
    int minor = 0;
    if (XFixesQueryExtension(display, &m_eventBase, &error) && XFixesQueryVersion(display, &major, &minor)) {
        m_haveFixes = true;
        XFixesSelectCursorInput(display, DefaultRootWindow(display), XFixesDisplayCursorNotifyMask);
    }
}

std::optional<std::pair<int, int>> CursorWatcher::moved() {
    if (m_connection.lost())
        return std::nullopt;
    Display* display = m_connection.display();
    Window root = 0;
    Window child = 0;
    int x = 0;
    int y = 0;
    int windowX = 0;
    int windowY = 0;
    unsigned mask = 0;
    if (!XQueryPointer(display, DefaultRootWindow(display), &root, &child, &x, &y, &windowX, &windowY, &mask))
        return std::nullopt;
    if (x == m_x && y == m_y)
        return std::nullopt;
    m_x = x;
    m_y = y;
    return std::pair{x, y};
}

std::optional<CursorWatcher::Shape> CursorWatcher::reshaped() {
    if (!m_haveFixes || m_connection.lost())
        return std::nullopt;
    Display* display = m_connection.display();
    while (XPending(display) > 0) {
        XEvent event;
        XNextEvent(display, &event);
        if (event.type == m_eventBase + XFixesCursorNotify)
            m_shapeChanged = true;
    }
    if (!m_shapeChanged)
        return std::nullopt;
    m_shapeChanged = false;
    XFixesCursorImage* image = XFixesGetCursorImage(display);
    if (!image)
        return std::nullopt;
    if (image->cursor_serial == m_serial && m_serial != 0) {
        XFree(image);
        return std::nullopt;
    }
    m_serial = image->cursor_serial;
    Shape shape;
    // Large cursors (accessibility sizes) are cut to what a cursor frame may hold.
    shape.width = std::clamp<int>(image->width, 1, protocol::kMaxCursorDimension);
    shape.height = std::clamp<int>(image->height, 1, protocol::kMaxCursorDimension);
    shape.hotX = std::clamp<int>(image->xhot, 0, shape.width - 1);
    shape.hotY = std::clamp<int>(image->yhot, 0, shape.height - 1);
    shape.argb.reserve(static_cast<std::size_t>(shape.width * shape.height) * 4);
    for (int y = 0; y < shape.height; ++y)
        for (int x = 0; x < shape.width; ++x) {
            // XFixes hands out 32-bit pixels in longs.
            const unsigned long pixel =
                y < image->height && x < image->width ? image->pixels[y * image->width + x] : 0;
            for (int shift = 24; shift >= 0; shift -= 8)
                shape.argb.push_back(static_cast<char>((pixel >> shift) & 0xFF));
        }
    XFree(image);
    return shape;
}

} // namespace breeze::agent
