#include "desktop/ClipboardBridge.h"

#include "desktop/X11Connection.h"
#include "encoding/Utf8.h"
#include "protocol/DesktopControl.h"

#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/extensions/Xfixes.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace breeze::agent {

namespace {
struct Atoms {
    Atom clipboard, utf8, targets, text, incr, property;
    explicit Atoms(Display* display)
        : clipboard(XInternAtom(display, "CLIPBOARD", False)),
          utf8(XInternAtom(display, "UTF8_STRING", False)), targets(XInternAtom(display, "TARGETS", False)),
          text(XInternAtom(display, "TEXT", False)), incr(XInternAtom(display, "INCR", False)),
          property(XInternAtom(display, "BREEZE_CLIPBOARD", False)) {}
};

// Answers a program that asks the clipboard's owner (us) for its contents.
void answer(Display* display, const XSelectionRequestEvent& request, const Atoms& atoms,
            const std::string& text) {
    XSelectionEvent reply{};
    reply.type = SelectionNotify;
    reply.display = request.display;
    reply.requestor = request.requestor;
    reply.selection = request.selection;
    reply.target = request.target;
    reply.time = request.time;
    reply.property = request.property == None ? request.target : request.property;
    if (request.target == atoms.targets) {
        const Atom offered[] = {atoms.targets, atoms.utf8, XA_STRING, atoms.text};
        XChangeProperty(display, request.requestor, reply.property, XA_ATOM, 32, PropModeReplace,
                        reinterpret_cast<const unsigned char*>(offered), 4);
    } else if (request.target == atoms.utf8 || request.target == XA_STRING || request.target == atoms.text) {
        XChangeProperty(display, request.requestor, reply.property,
                        request.target == XA_STRING ? XA_STRING : atoms.utf8, 8, PropModeReplace,
                        reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
    } else {
        reply.property = None; // a kind of content we do not offer
    }
    XSendEvent(display, request.requestor, False, NoEventMask, reinterpret_cast<XEvent*>(&reply));
    XFlush(display);
}

// The text a SelectionNotify delivered to our window (none when it is not text, too large, or incremental).
std::optional<std::string> delivered(Display* display, Window window, const Atoms& atoms) {
    Atom type = None;
    int format = 0;
    unsigned long items = 0;
    unsigned long after = 0;
    unsigned char* data = nullptr;
    if (XGetWindowProperty(display, window, atoms.property, 0, protocol::kMaxClipboardBytes / 4 + 1, True,
                           AnyPropertyType, &type, &format, &items, &after, &data) != Success)
        return std::nullopt;
    std::optional<std::string> text;
    if (data && format == 8 && type != atoms.incr && after == 0 && items <= protocol::kMaxClipboardBytes)
        text = std::string(reinterpret_cast<const char*>(data), items);
    if (data)
        XFree(data);
    return text;
}
} // namespace

ClipboardBridge::ClipboardBridge(const DisplayTarget& target, std::function<void()> wake)
    : m_target(target), m_wake(std::move(wake)) {
    m_thread = std::thread([this] { run(); });
}

ClipboardBridge::~ClipboardBridge() {
    m_stop = true;
    m_pipe.wake();
    m_thread.join();
}

void ClipboardBridge::offer(std::string text) {
    {
        const std::lock_guard lock(m_mutex);
        m_toOffer = std::move(text);
    }
    m_pipe.wake();
}

std::optional<std::string> ClipboardBridge::take() {
    const std::lock_guard lock(m_mutex);
    return std::exchange(m_taken, std::nullopt);
}

void ClipboardBridge::run() {
    std::unique_ptr<X11Connection> connection;
    try {
        connection = std::make_unique<X11Connection>(m_target);
    } catch (const std::exception&) {
        return; // the desktop's own connection says why the display cannot be used
    }
    Display* display = connection->display();
    const Atoms atoms(display);
    const Window window = XCreateSimpleWindow(display, DefaultRootWindow(display), 0, 0, 1, 1, 0, 0, 0);
    int fixesEvent = 0;
    int fixesError = 0;
    const bool fixes = XFixesQueryExtension(display, &fixesEvent, &fixesError);
    if (fixes)
        XFixesSelectSelectionInput(display, window, atoms.clipboard, XFixesSetSelectionOwnerNotifyMask);
    XFlush(display);
    std::string offered; // what we own the clipboard with
    while (!m_stop && !connection->lost()) {
        pollfd fds[2] = {{ConnectionNumber(display), POLLIN, 0}, {m_pipe.fd(), POLLIN, 0}};
        if (XPending(display) == 0)
            ::poll(fds, 2, 1000);
        if (fds[1].revents & POLLIN)
            m_pipe.drain();
        std::optional<std::string> toOffer;
        {
            const std::lock_guard lock(m_mutex);
            toOffer = std::exchange(m_toOffer, std::nullopt);
        }
        if (toOffer) {
            offered = std::move(*toOffer);
            XSetSelectionOwner(display, atoms.clipboard, window, CurrentTime);
            XFlush(display);
        }
        while (XPending(display) > 0) {
            XEvent event;
            XNextEvent(display, &event);
            if (event.type == SelectionRequest) {
                answer(display, event.xselectionrequest, atoms, offered);
            } else if (fixes && event.type == fixesEvent + XFixesSelectionNotify) {
                const auto& notice = reinterpret_cast<const XFixesSelectionNotifyEvent&>(event);
                // Another program copied something: ask it for the text.
                if (notice.owner != window && notice.owner != None)
                    XConvertSelection(display, atoms.clipboard, atoms.utf8, atoms.property, window,
                                      CurrentTime);
            } else if (event.type == SelectionNotify && event.xselection.property != None) {
                // Text as the protocol carries it (UTF-8 without NUL), and not what we put there ourselves.
                if (auto text = delivered(display, window, atoms); text && *text != offered &&
                                                                   encoding::isValidUtf8(*text) &&
                                                                   text->find('\0') == std::string::npos) {
                    {
                        const std::lock_guard lock(m_mutex);
                        m_taken = std::move(text);
                    }
                    m_wake();
                }
            }
        }
    }
    if (!connection->lost())
        XDestroyWindow(display, window);
}

} // namespace breeze::agent
