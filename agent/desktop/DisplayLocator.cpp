#include "desktop/DisplayLocator.h"

#include "platform/Subprocess.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <pwd.h>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>

namespace breeze::agent {

namespace {
namespace fs = std::filesystem;

// KEY=VALUE entries of a process's environment (empty when it is not ours to read).
std::map<std::string, std::string> environmentOf(const fs::path& process) {
    std::ifstream file(process / "environ", std::ios::binary);
    const std::string all((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    std::map<std::string, std::string> variables;
    std::size_t start = 0;
    while (start < all.size()) {
        const auto end = all.find('\0', start);
        const std::string entry =
            all.substr(start, end == std::string::npos ? std::string::npos : end - start);
        if (const auto equals = entry.find('='); equals != std::string::npos)
            variables.emplace(entry.substr(0, equals), entry.substr(equals + 1));
        if (end == std::string::npos)
            break;
        start = end + 1;
    }
    return variables;
}

// ":1.0" -> "1"; empty when it is not a local display.
std::string localNumber(const std::string& display) {
    if (!display.starts_with(':'))
        return {};
    std::string number =
        display.substr(1, display.find('.') == std::string::npos ? std::string::npos : display.find('.') - 1);
    if (number.empty() ||
        !std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return {};
    return number;
}

bool socketExists(const std::string& display) {
    const std::string number = localNumber(display);
    struct stat info {};
    return !number.empty() && ::stat(("/tmp/.X11-unix/X" + number).c_str(), &info) == 0 &&
           S_ISSOCK(info.st_mode);
}

std::string homeOf(uid_t uid) {
    const passwd* entry = ::getpwuid(uid);
    return entry && entry->pw_dir ? entry->pw_dir : "";
}

std::string userName(uid_t uid) {
    const passwd* entry = ::getpwuid(uid);
    return entry && entry->pw_name ? entry->pw_name : std::to_string(uid);
}

// `loginctl show-session` properties of the active graphical session, if logind runs.
std::optional<std::map<std::string, std::string>> activeGraphicalSession() {
    const auto list = runSubprocess({"loginctl", "list-sessions", "--no-legend"}, std::chrono::seconds(5));
    if (list.exitCode != 0)
        return std::nullopt;
    std::istringstream lines(list.output);
    for (std::string line; std::getline(lines, line);) {
        std::istringstream words(line);
        std::string id;
        words >> id;
        if (id.empty())
            continue;
        const auto shown = runSubprocess({"loginctl", "show-session", id, "-p", "Type", "-p", "Display", "-p",
                                          "Active", "-p", "User", "-p", "Class", "-p", "Name"},
                                         std::chrono::seconds(5));
        if (shown.exitCode != 0)
            continue;
        std::map<std::string, std::string> properties;
        std::istringstream fields(shown.output);
        for (std::string field; std::getline(fields, field);)
            if (const auto equals = field.find('='); equals != std::string::npos)
                properties[field.substr(0, equals)] = field.substr(equals + 1);
        if (properties["Active"] == "yes" && properties["Class"] == "user" &&
            (properties["Type"] == "x11" || properties["Type"] == "wayland"))
            return properties;
    }
    return std::map<std::string, std::string>{};
}
} // namespace

std::vector<DisplayLocator::Found> DisplayLocator::fromProcesses(const std::string& procRoot,
                                                                 const std::string& display,
                                                                 std::optional<uid_t> uid) {
    std::vector<Found> found;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(procRoot, error)) {
        const std::string name = entry.path().filename().string();
        if (name.empty() ||
            !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; }))
            continue;
        struct stat info {};
        if (::stat(entry.path().c_str(), &info) != 0 || (uid && info.st_uid != *uid))
            continue;
        auto variables = environmentOf(entry.path());
        const auto shown = variables.find("DISPLAY");
        if (shown == variables.end() || (!display.empty() && shown->second != display) ||
            !socketExists(shown->second))
            continue;
        Found candidate{shown->second, variables.contains("XAUTHORITY") ? variables["XAUTHORITY"] : "",
                        info.st_uid};
        if (candidate.authorityFile.empty()) {
            const std::string home = homeOf(info.st_uid);
            if (!home.empty() && fs::exists(home + "/.Xauthority"))
                candidate.authorityFile = home + "/.Xauthority";
        }
        const bool known = std::any_of(found.begin(), found.end(), [&](const Found& other) {
            return other.display == candidate.display && other.uid == candidate.uid &&
                   other.authorityFile == candidate.authorityFile;
        });
        if (!known)
            found.push_back(std::move(candidate));
    }
    // A person's session over root's (a display manager's greeter runs as root or its own user), then with
    // a cookie over without.
    std::stable_sort(found.begin(), found.end(), [](const Found& a, const Found& b) {
        return std::pair{a.uid == 0, a.authorityFile.empty()} <
               std::pair{b.uid == 0, b.authorityFile.empty()};
    });
    return found;
}

DisplayTarget DisplayLocator::locate(const DesktopPolicy& policy, const std::string& procRoot) {
    if (!policy.display.empty())
        return {policy.display, policy.authorityFile, "", {}, std::nullopt};
    if (const auto session = activeGraphicalSession()) {
        // logind knows who is logged in: only their session is shared, never a display someone else runs.
        if (session->empty())
            throw std::runtime_error("nobody is logged in to a graphical session on this device");
        auto properties = *session;
        if (properties["Type"] == "wayland")
            throw std::runtime_error("the logged-in session (" + properties["Name"] +
                                     ") uses Wayland: Breeze shares X11 sessions only, for now");
        const uid_t uid =
            static_cast<uid_t>(std::stoul(properties["User"].empty() ? "0" : properties["User"]));
        const std::vector<uid_t> owners{0, uid}; // Xorg as root, or rootless as the user
        const auto found = fromProcesses(procRoot, properties["Display"], uid);
        if (!found.empty())
            return {found.front().display, found.front().authorityFile, userName(uid), owners, uid};
        const std::string home = homeOf(uid);
        return {properties["Display"], home.empty() ? "" : home + "/.Xauthority", userName(uid), owners, uid};
    }
    // No logind (a container, a minimal system): a display whose X server root runs (a display manager's),
    // named by some process. A display an ordinary user started is not found by itself: name it with
    // --desktop-display.
    const auto found = fromProcesses(procRoot, "", std::nullopt);
    if (found.empty())
        throw std::runtime_error(
            "nobody is logged in to a graphical session on this device (no process has an X "
            "display)");
    return {found.front().display,
            found.front().authorityFile,
            userName(found.front().uid),
            {0},
            found.front().uid};
}

} // namespace breeze::agent
