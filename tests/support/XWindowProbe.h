#pragma once

#include <QByteArray>
#include <QRect>
#include <QString>
#include <QVector>
#include <cstdint>
#include <functional>
#include <optional>

using Display = struct _XDisplay; // NOLINT(bugprone-reserved-identifier): Xlib's own name

namespace breeze::test {

// A plain X client for desktop tests: a borderless window at a known place that paints what the test asks
// and records the input that reaches it (keys as the keysym and text its own keymap gives them, buttons,
// pointer positions), as any application on the remote desktop would see them.
class XWindowProbe {
public:
    struct Event {
        enum class Kind { KeyDown, KeyUp, ButtonDown, ButtonUp, Motion } kind;
        unsigned long keysym = 0;
        QString text;
        unsigned button = 0;
        int x = 0; // root coordinates
        int y = 0;
    };

    // Connects with the given authority file and maps the window; isOpen() says whether it worked.
    XWindowProbe(const QString& display, const QString& authorityFile, const QRect& geometry);
    ~XWindowProbe();
    XWindowProbe(const XWindowProbe&) = delete;
    XWindowProbe& operator=(const XWindowProbe&) = delete;

    bool isOpen() const { return m_display != nullptr; }
    // Paints a rectangle (window coordinates) and waits until the server has done it.
    void fill(const QRect& rect, std::uint32_t rgb);
    // Defines a RandR monitor over part of the screen (as `xrandr --setmonitor` does): how tests get several
    // monitors on one Xvfb.
    void addMonitor(const QString& name, const QRect& geometry, bool primary);
    void removeMonitor(const QString& name);
    // Another geometry for a monitor, in one step as other clients see it (Xvfb refuses to set a monitor
    // whose name is taken: it is deleted and set again with the server grabbed).
    void replaceMonitor(const QString& name, const QRect& geometry, bool primary);
    // The CLIPBOARD as text: owned by this window with `text` (answering whoever asks), or asked of its
    // owner.
    void setClipboard(const QString& text);
    QString clipboard(int milliseconds);
    // Takes the keyboard focus, so typed keys come here.
    void focus();
    // Reads what arrived; waits up to `milliseconds` until `done` holds for what was read so far.
    bool waitFor(const std::function<bool(const QVector<Event>&)>& done, int milliseconds);
    const QVector<Event>& events() const { return m_events; }
    QString typed() const; // the text of every key press so far
    // Whole-screen pixel at (x, y) as the server has it.
    std::uint32_t pixel(int x, int y); // 0xRRGGBB
    Display* display() const { return m_display; }

private:
    void drain();

    Display* m_display = nullptr;
    unsigned long m_window = 0;
    void* m_gc = nullptr; // GC, kept as void* so this header does not need Xlib's
    QVector<Event> m_events;
    QByteArray m_clipboard;                  // what this window offers as the clipboard's owner
    std::optional<QByteArray> m_clipboardIn; // what the owner gave when asked
};

} // namespace breeze::test
