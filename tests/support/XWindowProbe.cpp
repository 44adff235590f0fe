#include "XWindowProbe.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QThread>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/Xrandr.h>

namespace breeze::test {

XWindowProbe::XWindowProbe(const QString& display, const QString& authorityFile, const QRect& geometry) {
    // The test's own connection reads the cookie the way any X client does.
    qputenv("XAUTHORITY", authorityFile.toLocal8Bit());
    m_display = XOpenDisplay(display.toLocal8Bit().constData());
    if (!m_display)
        return;
    const int screen = DefaultScreen(m_display);
    XSetWindowAttributes attributes{};
    attributes.override_redirect = True;
    attributes.background_pixel = BlackPixel(m_display, screen);
    attributes.event_mask = KeyPressMask | KeyReleaseMask | ButtonPressMask | ButtonReleaseMask |
                            PointerMotionMask | ExposureMask;
    m_window = XCreateWindow(m_display, RootWindow(m_display, screen), geometry.x(), geometry.y(),
                             static_cast<unsigned>(geometry.width()),
                             static_cast<unsigned>(geometry.height()), 0, CopyFromParent, InputOutput,
                             CopyFromParent, CWOverrideRedirect | CWBackPixel | CWEventMask, &attributes);
    m_gc = XCreateGC(m_display, m_window, 0, nullptr);
    XMapRaised(m_display, m_window);
    XSync(m_display, False);
}

XWindowProbe::~XWindowProbe() {
    if (!m_display)
        return;
    XFreeGC(m_display, static_cast<GC>(m_gc));
    XDestroyWindow(m_display, m_window);
    XCloseDisplay(m_display);
}

void XWindowProbe::fill(const QRect& rect, std::uint32_t rgb) {
    const GC gc = static_cast<GC>(m_gc);
    XSetForeground(m_display, gc, rgb & 0xFFFFFF);
    XFillRectangle(m_display, m_window, gc, rect.x(), rect.y(), static_cast<unsigned>(rect.width()),
                   static_cast<unsigned>(rect.height()));
    XSync(m_display, False);
}

void XWindowProbe::addMonitor(const QString& name, const QRect& geometry, bool primary) {
    XRRMonitorInfo* monitor = XRRAllocateMonitor(m_display, 0);
    monitor->name = XInternAtom(m_display, name.toLatin1().constData(), False);
    monitor->primary = primary;
    monitor->x = geometry.x();
    monitor->y = geometry.y();
    monitor->width = geometry.width();
    monitor->height = geometry.height();
    monitor->mwidth = 300;
    monitor->mheight = 300;
    XRRSetMonitor(m_display, DefaultRootWindow(m_display), monitor);
    XFree(monitor);
    XSync(m_display, False);
}

void XWindowProbe::removeMonitor(const QString& name) {
    XRRDeleteMonitor(m_display, DefaultRootWindow(m_display),
                     XInternAtom(m_display, name.toLatin1().constData(), False));
    XSync(m_display, False);
}

void XWindowProbe::replaceMonitor(const QString& name, const QRect& geometry, bool primary) {
    XGrabServer(m_display);
    removeMonitor(name);
    addMonitor(name, geometry, primary);
    XUngrabServer(m_display);
    XSync(m_display, False);
}

void XWindowProbe::setClipboard(const QString& text) {
    m_clipboard = text.toUtf8();
    XSetSelectionOwner(m_display, XInternAtom(m_display, "CLIPBOARD", False), m_window, CurrentTime);
    XFlush(m_display);
}

QString XWindowProbe::clipboard(int milliseconds) {
    m_clipboardIn.reset();
    XConvertSelection(m_display, XInternAtom(m_display, "CLIPBOARD", False),
                      XInternAtom(m_display, "UTF8_STRING", False),
                      XInternAtom(m_display, "PROBE_PASTE", False), m_window, CurrentTime);
    XFlush(m_display);
    waitFor([this](const auto&) { return m_clipboardIn.has_value(); }, milliseconds);
    return m_clipboardIn ? QString::fromUtf8(*m_clipboardIn) : QString();
}

void XWindowProbe::focus() {
    XSetInputFocus(m_display, m_window, RevertToParent, CurrentTime);
    XSync(m_display, False);
}

void XWindowProbe::drain() {
    while (XPending(m_display) > 0) {
        XEvent event;
        XNextEvent(m_display, &event);
        switch (event.type) {
        case SelectionRequest: {
            const auto& request = event.xselectionrequest;
            XSelectionEvent reply{};
            reply.type = SelectionNotify;
            reply.requestor = request.requestor;
            reply.selection = request.selection;
            reply.target = request.target;
            reply.time = request.time;
            reply.property = request.property;
            XChangeProperty(m_display, request.requestor, request.property, request.target, 8,
                            PropModeReplace, reinterpret_cast<const unsigned char*>(m_clipboard.constData()),
                            static_cast<int>(m_clipboard.size()));
            XSendEvent(m_display, request.requestor, False, NoEventMask, reinterpret_cast<XEvent*>(&reply));
            XFlush(m_display);
            break;
        }
        case SelectionNotify:
            if (event.xselection.property != None) {
                Atom type = None;
                int format = 0;
                unsigned long items = 0;
                unsigned long after = 0;
                unsigned char* data = nullptr;
                XGetWindowProperty(m_display, m_window, event.xselection.property, 0, 1 << 20, True,
                                   AnyPropertyType, &type, &format, &items, &after, &data);
                m_clipboardIn =
                    QByteArray(reinterpret_cast<const char*>(data), static_cast<qsizetype>(items));
                if (data)
                    XFree(data);
            } else {
                m_clipboardIn = QByteArray();
            }
            break;
        case MappingNotify:
            // A keycode was given another symbol (the agent binds spare ones): read keys with the new map.
            XRefreshKeyboardMapping(&event.xmapping);
            break;
        case KeyPress:
        case KeyRelease: {
            char text[32] = {};
            KeySym keysym = NoSymbol;
            // Xlib gives the text in the locale's encoding, UTF-8 here.
            const int length = XLookupString(&event.xkey, text, sizeof text, &keysym, nullptr);
            m_events.push_back({event.type == KeyPress ? Event::Kind::KeyDown : Event::Kind::KeyUp, keysym,
                                QString::fromUtf8(text, length), 0, event.xkey.x_root, event.xkey.y_root});
            break;
        }
        case ButtonPress:
        case ButtonRelease:
            m_events.push_back({event.type == ButtonPress ? Event::Kind::ButtonDown : Event::Kind::ButtonUp,
                                0,
                                {},
                                event.xbutton.button,
                                event.xbutton.x_root,
                                event.xbutton.y_root});
            break;
        case MotionNotify:
            m_events.push_back({Event::Kind::Motion, 0, {}, 0, event.xmotion.x_root, event.xmotion.y_root});
            break;
        default:
            break;
        }
    }
}

bool XWindowProbe::waitFor(const std::function<bool(const QVector<Event>&)>& done, int milliseconds) {
    const QDeadlineTimer deadline(milliseconds);
    for (;;) {
        drain();
        if (done(m_events))
            return true;
        if (deadline.hasExpired())
            return false;
        // The test's own Qt objects (a console sending the input) go on meanwhile.
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        QThread::msleep(2);
    }
}

QString XWindowProbe::typed() const {
    QString text;
    for (const auto& event : m_events)
        if (event.kind == Event::Kind::KeyDown)
            text += event.text;
    return text;
}

std::uint32_t XWindowProbe::pixel(int x, int y) {
    XImage* image = XGetImage(m_display, DefaultRootWindow(m_display), x, y, 1, 1, AllPlanes, ZPixmap);
    if (!image)
        return 0;
    const auto rgb = static_cast<std::uint32_t>(XGetPixel(image, 0, 0) & 0xFFFFFF);
    XDestroyImage(image);
    return rgb;
}

} // namespace breeze::test
