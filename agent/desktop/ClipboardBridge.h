#pragma once

#include "desktop/DisplayTarget.h"
#include "desktop/WakePipe.h"

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace breeze::agent {

// The display's CLIPBOARD as text, both ways, on a thread of its own with its own connection. Text from the
// viewer is offered as the clipboard's owner (UTF8_STRING, STRING, TEXT), so the user's next paste gives it;
// when another program takes the clipboard, its text (UTF-8, at most protocol::kMaxClipboardBytes; larger or
// incremental transfers are not taken) is handed to the viewer. Text the bridge itself put there is not
// echoed back.
class ClipboardBridge {
public:
    // `wake` is called from the bridge's thread when text for the viewer is ready. Throws std::runtime_error
    // when the display cannot be opened.
    ClipboardBridge(const DisplayTarget& target, std::function<void()> wake);
    ~ClipboardBridge();
    ClipboardBridge(const ClipboardBridge&) = delete;
    ClipboardBridge& operator=(const ClipboardBridge&) = delete;

    // Text from the viewer: the display's clipboard from now on.
    void offer(std::string text);
    // Text the display's clipboard got from a program on it, once.
    std::optional<std::string> take();

private:
    void run();

    DisplayTarget m_target;
    std::function<void()> m_wake;
    WakePipe m_pipe; // wakes the thread for new text or to stop
    std::mutex m_mutex;
    std::optional<std::string> m_toOffer;
    std::optional<std::string> m_taken;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

} // namespace breeze::agent
