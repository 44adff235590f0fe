#include "collect/MetricsCollector.h"

#include "collect/MountedFilesystems.h"

#include <chrono>
#include <dirent.h>
#include <fstream>
#include <set>
#include <sstream>
#include <utmpx.h>

namespace breeze::agent {

namespace {
std::uint64_t meminfoValue(const std::string& text, const std::string& key) {
    const auto at = text.find("\n" + key + ":");
    const auto start =
        at == std::string::npos ? (text.starts_with(key + ":") ? 0 : std::string::npos) : at + 1;
    if (start == std::string::npos)
        return 0;
    std::istringstream line(text.substr(start + key.size() + 1, 64));
    std::uint64_t kib = 0;
    line >> kib;
    return kib * 1024;
}

std::string readAll(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}
} // namespace

double MetricsCollector::cpuPercent() {
    std::ifstream stat(m_proc + "/stat");
    std::string cpu;
    std::uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
    stat >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
    const std::uint64_t idleAll = idle + iowait;
    const std::uint64_t total = user + nice + system + idleAll + irq + softirq + steal;
    const std::uint64_t busy = total - idleAll;
    double percent = 0;
    if (total > m_lastTotal && m_lastTotal != 0)
        percent = 100.0 * static_cast<double>(busy - std::min(busy, m_lastBusy)) /
                  static_cast<double>(total - m_lastTotal);
    else if (total > 0)
        percent = 100.0 * static_cast<double>(busy) / static_cast<double>(total);
    m_lastBusy = busy;
    m_lastTotal = total;
    return std::clamp(percent, 0.0, 100.0);
}

protocol::Heartbeat MetricsCollector::sample() {
    protocol::Heartbeat beat;
    beat.sampledAtMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    beat.cpuPercent = cpuPercent();
    {
        std::ifstream load(m_proc + "/loadavg");
        load >> beat.load1 >> beat.load5 >> beat.load15;
    }
    const std::string meminfo = readAll(m_proc + "/meminfo");
    beat.memoryTotalBytes = meminfoValue(meminfo, "MemTotal");
    const std::uint64_t available = meminfoValue(meminfo, "MemAvailable");
    beat.memoryUsedBytes = beat.memoryTotalBytes > available ? beat.memoryTotalBytes - available : 0;
    beat.swapTotalBytes = meminfoValue(meminfo, "SwapTotal");
    const std::uint64_t swapFree = meminfoValue(meminfo, "SwapFree");
    beat.swapUsedBytes = beat.swapTotalBytes > swapFree ? beat.swapTotalBytes - swapFree : 0;
    {
        std::ifstream uptime(m_proc + "/uptime");
        double seconds = 0;
        uptime >> seconds;
        beat.uptimeSeconds = static_cast<std::int64_t>(seconds);
    }
    if (DIR* dir = opendir(m_proc.c_str())) {
        while (const dirent* entry = readdir(dir)) {
            const std::string name = entry->d_name;
            if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos)
                ++beat.processCount;
        }
        closedir(dir);
    }
    for (const auto& fs : mountedFilesystems(m_proc + "/mounts"))
        beat.filesystems.push_back({fs.mount, fs.type, fs.totalBytes, fs.usedBytes, fs.availableBytes});
    {
        std::ifstream dev(m_proc + "/net/dev");
        std::string line;
        std::getline(dev, line);
        std::getline(dev, line);
        while (std::getline(dev, line)) {
            const auto colon = line.find(':');
            if (colon == std::string::npos)
                continue;
            std::string name = line.substr(0, colon);
            name.erase(0, name.find_first_not_of(' '));
            std::istringstream fields(line.substr(colon + 1));
            std::uint64_t values[9] = {};
            for (auto& value : values)
                fields >> value;
            beat.interfaces.push_back({name, values[0], values[8]});
        }
    }
    {
        std::set<std::string> users;
        setutxent();
        while (const utmpx* entry = getutxent()) {
            if (entry->ut_type == USER_PROCESS && entry->ut_user[0] != '\0')
                users.insert(std::string(entry->ut_user, strnlen(entry->ut_user, sizeof entry->ut_user)));
        }
        endutxent();
        beat.users.assign(users.begin(), users.end());
    }
    return beat;
}

} // namespace breeze::agent
