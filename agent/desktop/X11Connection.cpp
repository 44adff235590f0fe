#include "desktop/X11Connection.h"

#include <X11/Xauth.h>
#include <X11/Xlib.h>
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <mutex>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace breeze::agent {

namespace {
constexpr off_t kMaxAuthorityBytes = off_t{64} * 1024;
std::mutex g_mutex;         // guards the maps below (taken inside Xlib's error callbacks)
std::mutex g_authorization; // guards Xlib's process-wide authorization setting while a display opens
std::map<Display*, int> g_errors;
std::map<Display*, bool> g_lost;

int onProtocolError(Display* display, XErrorEvent*) {
    const std::lock_guard lock(g_mutex);
    ++g_errors[display];
    return 0;
}

int onConnectionLost(Display* display) {
    const std::lock_guard lock(g_mutex);
    g_lost[display] = true;
    return 0;
}

// Returning (instead of exiting, Xlib's default) leaves the connection dead but the agent alive.
void keepRunning(Display*, void*) {}

void installHandlers() {
    static std::once_flag once;
    std::call_once(once, [] {
        // Every thread with its own connection, and Xlib told so before anything else uses it.
        XInitThreads();
        XSetErrorHandler(onProtocolError);
        XSetIOErrorHandler(onConnectionLost);
    });
}

// The display's number (":1.0" -> "1"), as Xauthority entries name it.
std::string displayNumber(const std::string& display) {
    const auto colon = display.rfind(':');
    if (colon == std::string::npos)
        return {};
    const auto dot = display.find('.', colon);
    return display.substr(colon + 1, dot == std::string::npos ? std::string::npos : dot - colon - 1);
}

struct Cookie {
    std::string name;
    std::string data;
};

// The MIT-MAGIC-COOKIE-1 entry for this display's number (or one for any display) in an Xauthority file:
// a regular file (never a FIFO or a device that would block or never end), small, not reached through a link,
// and owned by `owner` when the display was found rather than named.
Cookie cookieFor(const std::string& file, const std::string& number, std::optional<uid_t> owner) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat info {};
    if (fd < 0 || ::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode) || info.st_size > kMaxAuthorityBytes ||
        (owner && info.st_uid != *owner)) {
        if (fd >= 0)
            ::close(fd);
        throw std::runtime_error("cannot use the session's X authority file " + file +
                                 " (it must be a small regular file of the session's user)");
    }
    FILE* stream = ::fdopen(fd, "rb");
    if (!stream) {
        ::close(fd);
        throw std::runtime_error("cannot read the session's X authority file " + file);
    }
    Cookie found;
    while (Xauth* entry = XauReadAuth(stream)) {
        const std::string name(entry->name, entry->name_length);
        const std::string entryNumber(entry->number, entry->number_length);
        if (name == "MIT-MAGIC-COOKIE-1" && (entryNumber == number || entryNumber.empty()) &&
            found.data.empty())
            found = {name, std::string(entry->data, entry->data_length)};
        XauDisposeAuth(entry);
    }
    std::fclose(stream);
    if (found.data.empty())
        throw std::runtime_error("the X authority file " + file + " has no cookie for display :" + number);
    return found;
}
// Who runs the program at the other end of a local socket.
std::optional<uid_t> peerOwner(int fd) {
    ucred credentials{};
    socklen_t length = sizeof credentials;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0)
        return std::nullopt;
    return credentials.uid;
}

bool allowed(const std::vector<uid_t>& owners, std::optional<uid_t> uid) {
    return uid && std::find(owners.begin(), owners.end(), *uid) != owners.end();
}

// A local display's number (":0" -> "0"); none for a display elsewhere (host:N) or a malformed one.
std::optional<std::string> localNumber(const std::string& display) {
    const std::string number = displayNumber(display);
    if (display.rfind(':') != 0 || number.empty() ||
        !std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    return number;
}

// A connected socket to one of a local display's endpoints (Xlib tries the abstract socket, then the file);
// -1 when nothing listens there.
int connectLocal(const std::string& number, bool abstract, int flags) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);
    if (fd < 0)
        return -1;
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::string path = "/tmp/.X11-unix/X" + number;
    std::memcpy(address.sun_path + (abstract ? 1 : 0), path.data(), path.size());
    // The abstract name after its leading NUL, the file's name with its terminating NUL.
    const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), length) == 0)
        return fd;
    ::close(fd);
    return -1;
}

// Before any cookie goes out: every local endpoint of the display that answers must be served by an allowed
// owner, and one must answer.
void checkServerOwner(const DisplayTarget& target) {
    const auto number = localNumber(target.display);
    if (!number)
        throw std::runtime_error("display " + target.display + " is not a local display");
    bool answered = false;
    for (const bool abstract : {true, false}) {
        const int fd = connectLocal(*number, abstract, 0);
        if (fd < 0)
            continue;
        answered = true;
        const auto owner = peerOwner(fd);
        ::close(fd);
        if (!allowed(target.serverOwners, owner))
            throw std::runtime_error(
                "the X server of display " + target.display + " is not the session's (run by uid " +
                (owner ? std::to_string(*owner) : std::string("unknown")) + "): refused");
    }
    if (!answered)
        throw std::runtime_error("no X server answers on display " + target.display);
}
// Whether a local display's X server answers a connection setup (without credentials: it says "failed" or
// "authenticate" at once) within `timeout`. Xlib would wait for that answer forever, holding the lock every
// connection of this process takes, so a hung server is found out here first. Displays elsewhere (host:N)
// are left to Xlib.
bool answersWithin(const std::string& display, std::chrono::milliseconds timeout) {
    const auto number = localNumber(display);
    if (!number)
        return true;
    for (const bool abstract : {true, false}) {
        const int fd = connectLocal(*number, abstract, SOCK_NONBLOCK);
        if (fd < 0)
            continue; // Xlib tries the other endpoint too
        // Little-endian, protocol 11.0, no authorization.
        const unsigned char setup[12] = {'l', 0, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        bool answered = ::send(fd, setup, sizeof setup, MSG_NOSIGNAL) == static_cast<ssize_t>(sizeof setup);
        if (answered) {
            pollfd readable{fd, POLLIN, 0};
            answered = ::poll(&readable, 1, static_cast<int>(timeout.count())) == 1;
        }
        ::close(fd);
        return answered;
    }
    return true; // no local endpoint: Xlib says why it cannot connect
}
} // namespace

X11Connection::X11Connection(const DisplayTarget& target) : m_target(target) {
    installHandlers();
    if (!target.serverOwners.empty())
        checkServerOwner(target);
    if (!answersWithin(target.display, std::chrono::seconds(3)))
        throw std::runtime_error("the display " + target.display + " did not answer");
    const std::lock_guard lock(g_authorization);
    if (!target.authorityFile.empty()) {
        auto cookie = cookieFor(target.authorityFile, displayNumber(target.display), target.authorityOwner);
        XSetAuthorization(cookie.name.data(), static_cast<int>(cookie.name.size()), cookie.data.data(),
                          static_cast<int>(cookie.data.size()));
    }
    m_display = XOpenDisplay(target.display.c_str());
    if (!target.authorityFile.empty())
        XSetAuthorization(nullptr, 0, nullptr, 0);
    if (!m_display)
        throw std::runtime_error("cannot open X display " + target.display +
                                 (target.authorityFile.empty()
                                      ? std::string(" (no X authority file)")
                                      : " with the authority in " + target.authorityFile));
    {
        // An address Xlib used before belongs to this connection now: nothing said of the old one holds.
        const std::lock_guard mapsLock(g_mutex);
        g_errors.erase(m_display);
        g_lost.erase(m_display);
    }
    XSetIOErrorExitHandler(m_display, keepRunning, nullptr);
    // And the connection Xlib actually made is to the same kind of server.
    if (!target.serverOwners.empty() &&
        !allowed(target.serverOwners, peerOwner(ConnectionNumber(m_display)))) {
        XCloseDisplay(m_display);
        m_display = nullptr;
        throw std::runtime_error("the X server of display " + target.display +
                                 " is not the session's: refused");
    }
}

X11Connection::~X11Connection() {
    if (!m_display)
        return;
    // A lost connection is still closed: Xlib frees its memory and the descriptor either way.
    XCloseDisplay(m_display);
    const std::lock_guard lock(g_mutex);
    g_errors.erase(m_display);
    g_lost.erase(m_display);
}

bool X11Connection::lost() const {
    const std::lock_guard lock(g_mutex);
    const auto it = g_lost.find(m_display);
    return it != g_lost.end() && it->second;
}

int X11Connection::takeErrors() {
    const std::lock_guard lock(g_mutex);
    const auto it = g_errors.find(m_display);
    if (it == g_errors.end())
        return 0;
    const int count = it->second;
    g_errors.erase(it);
    return count;
}

} // namespace breeze::agent
