#pragma once

#include "desktop/DisplayTarget.h"
#include "desktop/WakePipe.h"
#include "protocol/DesktopControl.h"

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace breeze::agent {

// Notices when the display's monitors change while a desktop session is open (a monitor plugged in, a
// resolution changed, RandR 1.5 monitors set): on a thread of its own with its own connection, woken by
// RandR's change events and looking again every second for what sends none. `wake` is called when a new
// layout is ready.
class LayoutWatcher {
public:
    LayoutWatcher(const DisplayTarget& target, std::vector<protocol::DesktopMonitor> current,
                  std::function<void()> wake);
    ~LayoutWatcher();
    LayoutWatcher(const LayoutWatcher&) = delete;
    LayoutWatcher& operator=(const LayoutWatcher&) = delete;

    // The monitors as they are now, once after each change.
    std::optional<std::vector<protocol::DesktopMonitor>> takeChange();

private:
    void run();

    DisplayTarget m_target;
    std::vector<protocol::DesktopMonitor> m_last;
    std::function<void()> m_wake;
    WakePipe m_pipe; // wakes the thread to stop
    std::mutex m_mutex;
    std::optional<std::vector<protocol::DesktopMonitor>> m_changed;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

} // namespace breeze::agent
