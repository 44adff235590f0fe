#include "desktop/X11Connection.h"

#include <X11/Xauth.h>
#include <X11/Xlib.h>
#include <cstdio>
#include <map>
#include <mutex>
#include <stdexcept>

namespace breeze::agent {

namespace {
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

// The MIT-MAGIC-COOKIE-1 entry for this display's number (or one for any display) in an Xauthority file.
Cookie cookieFor(const std::string& file, const std::string& number) {
    FILE* stream = std::fopen(file.c_str(), "rbe");
    if (!stream)
        throw std::runtime_error("cannot read the session's X authority file " + file);
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
} // namespace

X11Connection::X11Connection(const DisplayTarget& target) : m_target(target) {
    installHandlers();
    const std::lock_guard lock(g_authorization);
    if (!target.authorityFile.empty()) {
        auto cookie = cookieFor(target.authorityFile, displayNumber(target.display));
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
    XSetIOErrorExitHandler(m_display, keepRunning, nullptr);
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
