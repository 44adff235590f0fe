#include "desktop/LayoutWatcher.h"

#include "desktop/MonitorLayout.h"
#include "desktop/X11Connection.h"

#include <X11/Xlib.h>
#include <X11/extensions/Xrandr.h>
#include <memory>
#include <poll.h>
#include <stdexcept>

namespace breeze::agent {

LayoutWatcher::LayoutWatcher(const DisplayTarget& target, std::vector<protocol::DesktopMonitor> current,
                             std::function<void()> wake)
    : m_target(target), m_last(std::move(current)), m_wake(std::move(wake)) {
    m_thread = std::thread([this] { run(); });
}

LayoutWatcher::~LayoutWatcher() {
    m_stop = true;
    m_pipe.wake();
    m_thread.join();
}

std::optional<std::vector<protocol::DesktopMonitor>> LayoutWatcher::takeChange() {
    const std::lock_guard lock(m_mutex);
    return std::exchange(m_changed, std::nullopt);
}

void LayoutWatcher::run() {
    std::unique_ptr<X11Connection> connection;
    try {
        connection = std::make_unique<X11Connection>(m_target);
    } catch (const std::exception&) {
        return; // the desktop's own connection says why the display cannot be used
    }
    Display* display = connection->display();
    int randrEvent = 0;
    int randrError = 0;
    if (XRRQueryExtension(display, &randrEvent, &randrError))
        XRRSelectInput(display, DefaultRootWindow(display),
                       RRScreenChangeNotifyMask | RRCrtcChangeNotifyMask | RROutputChangeNotifyMask);
    XFlush(display);
    while (!m_stop && !connection->lost()) {
        pollfd fds[2] = {{ConnectionNumber(display), POLLIN, 0}, {m_pipe.fd(), POLLIN, 0}};
        if (XPending(display) == 0)
            ::poll(fds, 2, 1000);
        if (m_stop)
            break;
        while (XPending(display) > 0) {
            XEvent event;
            XNextEvent(display, &event);
            XRRUpdateConfiguration(&event);
        }
        std::vector<protocol::DesktopMonitor> now;
        try {
            now = MonitorLayout::read(*connection);
        } catch (const std::exception&) {
            break;
        }
        if (now == m_last)
            continue;
        m_last = now;
        {
            const std::lock_guard lock(m_mutex);
            m_changed = std::move(now);
        }
        m_wake();
    }
}

} // namespace breeze::agent
