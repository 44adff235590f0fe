#include "patches/AptOutput.h"

#include <sstream>

namespace breeze::agent {

namespace {
bool startsWith(const std::string& text, const std::string& prefix) {
    return text.compare(0, prefix.size(), prefix) == 0;
}

std::string trim(std::string text) {
    while (!text.empty() && (text.back() == ' ' || text.back() == '\r'))
        text.pop_back();
    const auto first = text.find_first_not_of(' ');
    return first == std::string::npos ? std::string() : text.substr(first);
}
} // namespace

std::vector<protocol::AvailableUpdate> parseSimulatedUpgrade(const std::string& text) {
    std::vector<protocol::AvailableUpdate> updates;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (!startsWith(line, "Inst "))
            continue;
        // Inst NAME [OLD] (NEW ORIGIN:VERSION/SUITE[, ORIGIN:VERSION/SUITE]... [ARCH]) [...]
        const auto nameEnd = line.find(' ', 5);
        const auto oldOpen = line.find(" [", 4);
        const auto newOpen = line.find(" (", 4);
        if (nameEnd == std::string::npos || newOpen == std::string::npos || oldOpen == std::string::npos ||
            oldOpen > newOpen || nameEnd != oldOpen)
            continue; // a new package (no installed version) or a shape we do not know
        const auto oldClose = line.find(']', oldOpen);
        const auto newClose = line.find(')', newOpen);
        if (oldClose == std::string::npos || newClose == std::string::npos)
            continue;
        protocol::AvailableUpdate update;
        update.name = line.substr(5, nameEnd - 5);
        update.installedVersion = line.substr(oldOpen + 2, oldClose - oldOpen - 2);
        std::string inner = line.substr(newOpen + 2, newClose - newOpen - 2);
        const auto versionEnd = inner.find(' ');
        update.availableVersion = inner.substr(0, versionEnd);
        std::string rest = versionEnd == std::string::npos ? std::string() : inner.substr(versionEnd + 1);
        if (const auto archOpen = rest.rfind('['); archOpen != std::string::npos) {
            const auto archClose = rest.find(']', archOpen);
            update.arch = rest.substr(
                archOpen + 1, archClose == std::string::npos ? std::string::npos : archClose - archOpen - 1);
            rest = trim(rest.substr(0, archOpen));
        }
        update.repository = rest;
        std::istringstream origins(rest);
        for (std::string origin; std::getline(origins, origin, ',');) {
            origin = trim(origin);
            const auto slash = origin.rfind('/');
            const std::string suite = slash == std::string::npos ? std::string() : origin.substr(slash + 1);
            const std::string name = origin.substr(0, origin.find(':'));
            if ((suite.size() >= 9 && suite.compare(suite.size() - 9, 9, "-security") == 0) ||
                name.find("Security") != std::string::npos)
                update.security = true;
        }
        update.rebootHint = needsRebootAfter(update.name);
        if (protocol::isValidPackageName(update.name) &&
            protocol::isValidPackageVersion(update.availableVersion) &&
            protocol::isValidPackageVersion(update.installedVersion))
            updates.push_back(std::move(update));
    }
    return updates;
}

std::map<std::string, std::uint64_t> parsePackageSizes(const std::string& text) {
    std::map<std::string, std::uint64_t> sizes;
    std::string name, version;
    std::uint64_t size = 0;
    const auto flush = [&] {
        if (!name.empty() && !version.empty())
            sizes[name + "=" + version] = size;
        name.clear();
        version.clear();
        size = 0;
    };
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (trim(line).empty()) {
            flush();
        } else if (startsWith(line, "Package: ")) {
            flush();
            name = trim(line.substr(9));
        } else if (startsWith(line, "Version: ")) {
            version = trim(line.substr(9));
        } else if (startsWith(line, "Size: ")) {
            try {
                size = std::stoull(trim(line.substr(6)));
            } catch (const std::exception&) {
                size = 0;
            }
        }
    }
    flush();
    return sizes;
}

bool needsRebootAfter(const std::string& packageName) {
    for (const char* prefix : {"linux-image", "linux-modules", "linux-firmware", "firmware-", "libc6",
                               "systemd", "dbus", "intel-microcode", "amd64-microcode"})
        if (startsWith(packageName, prefix))
            return true;
    return false;
}

} // namespace breeze::agent
