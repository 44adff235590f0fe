#include "desktop/X11Capture.h"

#include "desktop/X11Connection.h"

#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XShm.h>
#include <X11/extensions/Xdamage.h>
#include <X11/extensions/Xfixes.h>
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <vector>

namespace breeze::agent {

struct X11Capture::Image {
    Display* display = nullptr;
    XImage* image = nullptr;
    XShmSegmentInfo shm{};
    bool attached = false;
    unsigned long region = 0;

    ~Image() {
        if (region)
            XFixesDestroyRegion(display, region);
        if (attached)
            XShmDetach(display, &shm);
        if (image)
            XDestroyImage(image); // frees the XImage; shared memory is ours to detach
        if (shm.shmaddr)
            shmdt(shm.shmaddr);
    }
};

namespace {
bool isBgrx(const XImage& image) {
    return image.bits_per_pixel == 32 && image.red_mask == 0xFF0000 && image.green_mask == 0xFF00 &&
           image.blue_mask == 0xFF && image.byte_order == LSBFirst;
}
} // namespace

X11Capture::X11Capture(X11Connection& connection, const protocol::DesktopMonitor& area)
    : m_connection(connection), m_area(area), m_image(std::make_unique<Image>()) {
    Display* display = connection.display();
    m_image->display = display;
    const int screen = DefaultScreen(display);
    Visual* visual = DefaultVisual(display, screen);
    const int depth = DefaultDepth(display, screen);
    if (visual->c_class != TrueColor || (depth != 24 && depth != 32))
        throw std::runtime_error("the display's pixels are not 24-bit true colour (depth " +
                                 std::to_string(depth) + "): not supported");
    if (XShmQueryExtension(display)) {
        XImage* image =
            XShmCreateImage(display, visual, static_cast<unsigned>(depth), ZPixmap, nullptr, &m_image->shm,
                            static_cast<unsigned>(area.width), static_cast<unsigned>(area.height));
        if (image && isBgrx(*image)) {
            m_image->image = image;
            m_image->shm.shmid = shmget(IPC_PRIVATE,
                                        static_cast<std::size_t>(image->bytes_per_line) *
                                            static_cast<std::size_t>(area.height),
                                        IPC_CREAT | 0600);
            if (m_image->shm.shmid >= 0) {
                void* memory = shmat(m_image->shm.shmid, nullptr, 0);
                // shmat says "no" with (void*)-1, not null: kept as null here, so null means "not mapped".
                if (reinterpret_cast<std::intptr_t>(memory) == -1)
                    memory = nullptr;
                m_image->shm.shmaddr = image->data = static_cast<char*>(memory);
                m_image->shm.readOnly = False;
                if (m_image->shm.shmaddr) {
                    XShmAttach(display, &m_image->shm);
                    XSync(display, False);
                    // Marked for removal now: it goes when both sides detach, even if the agent crashes.
                    shmctl(m_image->shm.shmid, IPC_RMID, nullptr);
                    m_image->attached = connection.takeErrors() == 0;
                } else {
                    image->data = nullptr;
                    shmctl(m_image->shm.shmid, IPC_RMID, nullptr);
                }
            }
            m_shared = m_image->attached;
        } else if (image) {
            XDestroyImage(image);
        }
        if (!m_shared && m_image->image) {
            // A display that cannot share memory with us (another host, another IPC namespace).
            if (m_image->shm.shmaddr)
                shmdt(m_image->shm.shmaddr);
            m_image->shm.shmaddr = nullptr;
            m_image->image->data = nullptr;
            XDestroyImage(m_image->image);
            m_image->image = nullptr;
        }
    }
    int event = 0;
    int error = 0;
    int major = 5;
    int minor = 0;
    if (XFixesQueryExtension(display, &event, &error) && XFixesQueryVersion(display, &major, &minor) &&
        major >= 2 && XDamageQueryExtension(display, &event, &error)) {
        major = 1;
        minor = 1;
        XDamageQueryVersion(display, &major, &minor);
        m_damage = XDamageCreate(display, DefaultRootWindow(display), XDamageReportNonEmpty);
        m_image->region = XFixesCreateRegion(display, nullptr, 0);
    }
    m_previous.assign(static_cast<std::size_t>(area.width) * static_cast<std::size_t>(area.height) * 4, 0);
    m_candidates.resize(area.width, area.height);
}

X11Capture::~X11Capture() {
    if (m_damage && !m_connection.lost())
        XDamageDestroy(m_connection.display(), m_damage);
    if (m_connection.lost()) {
        // Nothing may be sent on a dead connection: let go of our side of the memory only.
        m_image->attached = false;
        m_image->region = 0;
    }
}

bool X11Capture::damaged(ChangeMap& candidates) {
    Display* display = m_connection.display();
    while (XPending(display) > 0) {
        XEvent event;
        XNextEvent(display, &event); // damage notifications: the region itself is what counts
    }
    XDamageSubtract(display, m_damage, 0, m_image->region);
    int count = 0;
    XRectangle* rects = XFixesFetchRegion(display, m_image->region, &count);
    for (int i = 0; i < count; ++i)
        candidates.markRect(rects[i].x - m_area.x, rects[i].y - m_area.y, rects[i].width, rects[i].height);
    if (rects)
        XFree(rects);
    return !candidates.empty();
}

bool X11Capture::grab() {
    Display* display = m_connection.display();
    const Window root = DefaultRootWindow(display);
    if (m_shared)
        return XShmGetImage(display, root, m_image->image, m_area.x, m_area.y, AllPlanes) != 0 &&
               m_connection.takeErrors() == 0;
    if (m_image->image)
        XDestroyImage(m_image->image);
    m_image->image = XGetImage(display, root, m_area.x, m_area.y, static_cast<unsigned>(m_area.width),
                               static_cast<unsigned>(m_area.height), AllPlanes, ZPixmap);
    m_connection.takeErrors();
    return m_image->image && isBgrx(*m_image->image);
}

void X11Capture::compareTile(const std::uint8_t* source, std::size_t sourceStride, int sourceX, int sourceY,
                             int column, int row, ChangeMap& changes) {
    const auto stride = static_cast<std::size_t>(m_area.width) * 4;
    const int left = column * ChangeMap::kTile;
    const int top = row * ChangeMap::kTile;
    const int bottom = std::min(m_area.height, top + ChangeMap::kTile);
    const auto bytes = static_cast<std::size_t>(std::min(ChangeMap::kTile, m_area.width - left)) * 4;
    const auto at = [&](int y) {
        return source + static_cast<std::size_t>(y - sourceY) * sourceStride +
               static_cast<std::size_t>(left - sourceX) * 4;
    };
    const auto previous = [&](int y) {
        return m_previous.data() + static_cast<std::size_t>(y) * stride + static_cast<std::size_t>(left) * 4;
    };
    int y = top;
    while (y < bottom && std::memcmp(at(y), previous(y), bytes) == 0)
        ++y;
    if (y == bottom)
        return;
    changes.mark(column, row);
    for (; y < bottom; ++y)
        std::memcpy(previous(y), at(y), bytes);
}

void X11Capture::compare(const ChangeMap& candidates, ChangeMap& changes) {
    const auto* source = reinterpret_cast<const std::uint8_t*>(m_image->image->data);
    const auto sourceStride = static_cast<std::size_t>(m_image->image->bytes_per_line);
    for (int row = 0; row < candidates.rows(); ++row)
        for (int column = 0; column < candidates.columns(); ++column)
            if (candidates.changed(column, row))
                compareTile(source, sourceStride, 0, 0, column, row, changes);
}

bool X11Capture::grabBands(const ChangeMap& candidates, ChangeMap& changes) {
    struct Band {
        int row, first, last;
    };
    std::vector<Band> bands;
    for (int row = 0; row < candidates.rows(); ++row) {
        int first = -1;
        int last = -1;
        for (int column = 0; column < candidates.columns(); ++column)
            if (candidates.changed(column, row)) {
                first = first < 0 ? column : first;
                last = column;
            }
        if (first >= 0)
            bands.push_back({row, first, last});
    }
    if (bands.size() > kMostBands)
        return false;
    Display* display = m_connection.display();
    for (const Band& band : bands) {
        const int x = band.first * ChangeMap::kTile;
        const int y = band.row * ChangeMap::kTile;
        const int width = std::min(m_area.width, (band.last + 1) * ChangeMap::kTile) - x;
        const int height = std::min(m_area.height, y + ChangeMap::kTile) - y;
        XImage* image =
            XGetImage(display, DefaultRootWindow(display), m_area.x + x, m_area.y + y,
                      static_cast<unsigned>(width), static_cast<unsigned>(height), AllPlanes, ZPixmap);
        if (!image || !isBgrx(*image)) {
            if (image)
                XDestroyImage(image);
            m_connection.takeErrors();
            return false;
        }
        for (int column = band.first; column <= band.last; ++column)
            if (candidates.changed(column, band.row))
                compareTile(reinterpret_cast<const std::uint8_t*>(image->data),
                            static_cast<std::size_t>(image->bytes_per_line), x, y, column, band.row, changes);
        XDestroyImage(image);
    }
    return true;
}

bool X11Capture::capture(ChangeMap& changes) {
    if (m_connection.lost())
        throw std::runtime_error("the display closed");
    if (changes.columns() != m_candidates.columns() || changes.rows() != m_candidates.rows())
        changes.resize(m_area.width, m_area.height);
    changes.clear();
    m_candidates.clear();
    if (m_damage) {
        if (!damaged(m_candidates) && !m_everything)
            return false;
    }
    if (!m_damage || m_everything)
        m_candidates.markAll();
    // A few small places changed (typing, a caret): read just those rows of tiles, not the whole screen.
    if (!m_everything && m_candidates.count() * 8 < m_candidates.columns() * m_candidates.rows() &&
        grabBands(m_candidates, changes))
        return !changes.empty();
    // (Tiles a failed band read already took stay marked; the whole picture adds the rest.)
    if (!grab()) {
        if (m_connection.lost())
            throw std::runtime_error("the display closed");
        throw std::runtime_error("the screen could not be read (did the monitors change?)");
    }
    compare(m_candidates, changes);
    if (m_everything) {
        changes.markAll();
        m_everything = false;
    }
    return !changes.empty();
}

} // namespace breeze::agent
