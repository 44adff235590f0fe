#include "platform/MachineIdentity.h"

#include <fstream>
#include <stdexcept>
#include <unistd.h>

namespace breeze::agent {

namespace {
std::string firstLine(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

std::string prettyOsName() {
    std::ifstream in("/etc/os-release");
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with("PRETTY_NAME=")) {
            std::string value = line.substr(12);
            if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
                value = value.substr(1, value.size() - 2);
            return value;
        }
    }
    return "Linux";
}
} // namespace

MachineIdentity MachineIdentity::detect(const std::optional<std::string>& identityOverride) {
    MachineIdentity machine;
    machine.identity = identityOverride.value_or(firstLine("/etc/machine-id"));
    if (machine.identity.empty())
        machine.identity = firstLine("/var/lib/dbus/machine-id");
    if (machine.identity.empty())
        throw std::runtime_error("this machine has no /etc/machine-id; pass --identity NAME");
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) == 0)
        machine.hostname = host;
    machine.os = prettyOsName();
    return machine;
}

} // namespace breeze::agent
