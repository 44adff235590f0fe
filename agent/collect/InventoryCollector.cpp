#include "collect/InventoryCollector.h"

#include "collect/MountedFilesystems.h"
#include "desktop/MonitorProbe.h"
#include "platform/Subprocess.h"
#include "protocol/AgentMessages.h"

#include <arpa/inet.h>
#include <filesystem>
#include <fstream>
#include <ifaddrs.h>
#include <map>
#include <net/if.h>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

namespace breeze::agent {

namespace fs = std::filesystem;

namespace {
std::string readTrimmed(const std::string& path, std::size_t max = 255) {
    std::ifstream in(path);
    std::string text;
    std::getline(in, text, '\0');
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r'))
        text.pop_back();
    // Agent text is bounded and printable before it leaves the machine.
    std::string clean;
    for (char c : text.substr(0, max))
        clean.push_back(static_cast<unsigned char>(c) < 0x20 ? ' ' : c);
    return clean;
}

std::string bounded(const std::string& text, std::size_t max = 255) {
    return text.substr(0, max);
}

std::map<std::string, std::string> osRelease() {
    std::map<std::string, std::string> values;
    std::ifstream in(fs::exists("/etc/os-release") ? "/etc/os-release" : "/usr/lib/os-release");
    for (std::string line; std::getline(in, line);) {
        const auto eq = line.find('=');
        if (eq == std::string::npos)
            continue;
        std::string value = line.substr(eq + 1);
        if (value.size() >= 2 && (value.front() == '"' || value.front() == '\''))
            value = value.substr(1, value.size() - 2);
        values[line.substr(0, eq)] = value;
    }
    return values;
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty())
            out.push_back(line);
    return out;
}

std::vector<std::string> split(const std::string& line, char separator) {
    std::vector<std::string> parts;
    std::string part;
    std::istringstream in(line);
    while (std::getline(in, part, separator))
        parts.push_back(part);
    return parts;
}

std::string run(const std::vector<std::string>& argv, bool* ok = nullptr) {
    const auto result = runSubprocess(argv, std::chrono::seconds(60), nullptr, 32 << 20);
    if (ok)
        *ok = result.started && result.exitCode == 0;
    return result.started ? result.output : std::string();
}
} // namespace

const std::vector<std::string>& InventoryCollector::sections() {
    // The protocol's list: a section the server knows is one the agent collects (collect() refuses others).
    return protocol::InventoryReport::sections();
}

nlohmann::json InventoryCollector::collect(const std::string& section) {
    if (section == "os")
        return os();
    if (section == "hardware")
        return hardware();
    if (section == "disks")
        return disks();
    if (section == "filesystems")
        return filesystems();
    if (section == "interfaces")
        return interfaces();
    if (section == "software")
        return software();
    if (section == "services")
        return services();
    if (section == "users")
        return users();
    if (section == "monitors")
        return monitors();
    throw std::runtime_error("unknown inventory section " + section);
}

nlohmann::json InventoryCollector::monitors() {
    return m_monitors ? m_monitors->monitors() : nlohmann::json::array();
}

nlohmann::json InventoryCollector::os() {
    auto release = osRelease();
    utsname uts{};
    uname(&uts);
    nlohmann::json os{
        {"name", bounded(release.count("NAME") ? release["NAME"] : uts.sysname, 1024)},
        {"version", bounded(release.count("VERSION") ? release["VERSION"] : release["VERSION_ID"], 1024)},
        {"kernel", bounded(std::string(uts.sysname) + " " + uts.release, 1024)},
        {"arch", bounded(uts.machine, 64)},
        {"hostname", bounded(uts.nodename)}};
    std::ifstream stat("/proc/stat");
    for (std::string line; std::getline(stat, line);)
        if (line.starts_with("btime "))
            os["boot_time"] = std::stoull(line.substr(6));
    return os;
}

nlohmann::json InventoryCollector::hardware() {
    nlohmann::json hw = nlohmann::json::object();
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::set<std::string> cores;
    std::string physical;
    long threads = 0;
    for (std::string line; std::getline(cpuinfo, line);) {
        const auto colon = line.find(':');
        if (colon == std::string::npos)
            continue;
        std::string key = line.substr(0, colon);
        key.erase(key.find_last_not_of(" \t") + 1);
        const std::string value = colon + 2 <= line.size() ? line.substr(colon + 2) : "";
        if (key == "model name" && !hw.contains("cpu_model"))
            hw["cpu_model"] = bounded(value, 1024);
        else if (key == "processor")
            ++threads;
        else if (key == "physical id")
            physical = value;
        else if (key == "core id")
            cores.insert(physical + ":" + value);
    }
    hw["cpu_threads"] = threads;
    hw["cpu_cores"] = cores.empty() ? threads : static_cast<long>(cores.size());
    hw["memory_bytes"] = static_cast<std::uint64_t>(sysconf(_SC_PHYS_PAGES)) *
                         static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
    // DMI is readable on real and virtual machines (the serial only by root); containers have none.
    const std::string dmi = "/sys/class/dmi/id/";
    for (const auto& [field, file] :
         std::vector<std::pair<std::string, std::string>>{{"vendor", "sys_vendor"},
                                                          {"model", "product_name"},
                                                          {"serial", "product_serial"},
                                                          {"bios_vendor", "bios_vendor"},
                                                          {"bios_version", "bios_version"},
                                                          {"bios_date", "bios_date"}}) {
        const std::string value = readTrimmed(dmi + file, field == "bios_date" ? 64 : 255);
        if (!value.empty())
            hw[field] = value;
    }
    return hw;
}

nlohmann::json InventoryCollector::disks() {
    nlohmann::json items = nlohmann::json::array();
    std::error_code error;
    for (const auto& entry : fs::directory_iterator("/sys/block", error)) {
        const std::string name = entry.path().filename().string();
        if (name.starts_with("loop") || name.starts_with("ram") || name.starts_with("zram"))
            continue;
        const std::string base = entry.path().string();
        const std::string sectors = readTrimmed(base + "/size");
        nlohmann::json disk{{"name", name}};
        if (!sectors.empty())
            disk["size_bytes"] = std::stoull(sectors) * 512;
        if (auto model = readTrimmed(base + "/device/model"); !model.empty())
            disk["model"] = model;
        if (auto serial = readTrimmed(base + "/device/serial"); !serial.empty())
            disk["serial"] = serial;
        disk["rotational"] = readTrimmed(base + "/queue/rotational") == "1";
        items.push_back(disk);
    }
    return items;
}

nlohmann::json InventoryCollector::filesystems() {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& fs : mountedFilesystems())
        items.push_back({{"mount", bounded(fs.mount, 4096)},
                         {"device", bounded(fs.device, 4096)},
                         {"fs_type", bounded(fs.type, 64)},
                         {"total_bytes", fs.totalBytes}});
    return items;
}

nlohmann::json InventoryCollector::interfaces() {
    std::map<std::string, nlohmann::json> byName;
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) == 0) {
        for (ifaddrs* entry = list; entry; entry = entry->ifa_next) {
            const std::string name = entry->ifa_name;
            auto& nic = byName[name];
            if (nic.is_null()) {
                nic = {{"name", bounded(name)}, {"addresses", nlohmann::json::array()}};
                nic["up"] = (entry->ifa_flags & IFF_UP) != 0;
                const std::string sys = "/sys/class/net/" + name;
                if (auto mac = readTrimmed(sys + "/address", 64); !mac.empty())
                    nic["mac"] = mac;
                if (auto mtu = readTrimmed(sys + "/mtu"); !mtu.empty())
                    nic["mtu"] = std::stoull(mtu);
            }
            if (!entry->ifa_addr)
                continue;
            char text[INET6_ADDRSTRLEN] = {};
            if (entry->ifa_addr->sa_family == AF_INET)
                inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(entry->ifa_addr)->sin_addr, text,
                          sizeof text);
            else if (entry->ifa_addr->sa_family == AF_INET6)
                inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(entry->ifa_addr)->sin6_addr, text,
                          sizeof text);
            else
                continue;
            if (nic["addresses"].size() < 256)
                nic["addresses"].push_back(text);
        }
        freeifaddrs(list);
    }
    nlohmann::json items = nlohmann::json::array();
    for (auto& [name, nic] : byName)
        items.push_back(std::move(nic));
    return items;
}

nlohmann::json InventoryCollector::software() {
    nlohmann::json items = nlohmann::json::array();
    bool ok = false;
    const std::string dpkg = run({"dpkg-query", "-W", "-f",
                                  "${db:Status-Abbrev}\\t${Package}\\t${Version}\\t${Architecture}\\t${"
                                  "Maintainer}\\t${Installed-Size}\\n"},
                                 &ok);
    if (ok) {
        for (const auto& line : lines(dpkg)) {
            const auto parts = split(line, '\t');
            // Only installed packages ("ii"), not removed ones whose configuration remains.
            if (parts.size() < 4 || !parts[0].starts_with("ii"))
                continue;
            nlohmann::json item{{"name", bounded(parts[1])},
                                {"version", bounded(parts[2])},
                                {"arch", bounded(parts[3], 64)},
                                {"source", "dpkg"}};
            if (parts.size() > 4 && !parts[4].empty())
                item["publisher"] = bounded(parts[4]);
            if (parts.size() > 5 && !parts[5].empty() &&
                parts[5].find_first_not_of("0123456789") == std::string::npos)
                item["size_bytes"] = std::stoull(parts[5]) * 1024;
            items.push_back(std::move(item));
        }
    }
    const std::string rpm =
        run({"rpm", "-qa", "--qf",
             "%{NAME}\\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\\t%{ARCH}\\t%{VENDOR}\\t%{SIZE}\\n"},
            &ok);
    if (ok) {
        for (const auto& line : lines(rpm)) {
            const auto parts = split(line, '\t');
            if (parts.size() < 3 || parts[0] == "gpg-pubkey")
                continue;
            nlohmann::json item{{"name", bounded(parts[0])},
                                {"version", bounded(parts[1])},
                                {"arch", bounded(parts[2], 64)},
                                {"source", "rpm"}};
            if (parts.size() > 3 && parts[3] != "(none)")
                item["publisher"] = bounded(parts[3]);
            if (parts.size() > 4 && !parts[4].empty() &&
                parts[4].find_first_not_of("0123456789") == std::string::npos)
                item["size_bytes"] = std::stoull(parts[4]);
            items.push_back(std::move(item));
        }
    }
    return items;
}

// systemd's own test (sd_booted): it runs as this machine's init exactly when /run/systemd/system exists.
static bool systemdRunning() {
    struct stat info {};
    return ::lstat("/run/systemd/system", &info) == 0 && S_ISDIR(info.st_mode);
}

nlohmann::json InventoryCollector::services() {
    // Unit files say what is installed and how it starts (readable without a running systemd); list-units
    // adds the live state when systemd runs. Where it does not (a container, another init), services have no
    // state at all rather than a made-up "unknown", and the console says why.
    std::map<std::string, nlohmann::json> byName;
    bool ok = false;
    const std::string files =
        run({"systemctl", "list-unit-files", "--type=service", "--no-legend", "--no-pager"}, &ok);
    for (const auto& line : lines(files)) {
        std::istringstream fields(line);
        std::string name, enabled;
        fields >> name >> enabled;
        if (name.empty() || name.find('@') != std::string::npos)
            continue;
        byName[name] = {{"name", bounded(name)}, {"enabled", bounded(enabled, 32)}};
    }
    ok = systemdRunning();
    const std::string units = ok ? run({"systemctl", "list-units", "--type=service", "--all", "--no-legend",
                                        "--no-pager", "--plain"},
                                       &ok)
                                 : std::string();
    if (ok) {
        for (const auto& line : lines(units)) {
            std::istringstream fields(line);
            std::string name, load, active, sub;
            fields >> name >> load >> active >> sub;
            std::string description;
            std::getline(fields, description);
            description.erase(0, description.find_first_not_of(' '));
            auto& item = byName[name];
            if (item.is_null())
                item = {{"name", bounded(name)}};
            item["state"] = bounded(active, 32);
            item["sub_state"] = bounded(sub, 32);
            if (!description.empty())
                item["description"] = bounded(description, 1024);
        }
    }
    nlohmann::json items = nlohmann::json::array();
    for (auto& [name, item] : byName)
        items.push_back(std::move(item));
    return items;
}

nlohmann::json InventoryCollector::users() {
    nlohmann::json items = nlohmann::json::array();
    std::ifstream passwd("/etc/passwd");
    for (std::string line; std::getline(passwd, line);) {
        const auto parts = split(line, ':');
        if (parts.size() < 7)
            continue;
        const std::string& shell = parts[6];
        const bool login = !shell.ends_with("nologin") && !shell.ends_with("/false") && !shell.empty();
        items.push_back({{"name", bounded(parts[0])},
                         {"uid", std::stoull(parts[2].empty() ? "0" : parts[2])},
                         {"home", bounded(parts[5], 4096)},
                         {"shell", bounded(shell, 4096)},
                         {"login", login}});
    }
    return items;
}

} // namespace breeze::agent
