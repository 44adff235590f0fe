#include "patches/RebootCheck.h"

#include <filesystem>
#include <string>
#include <sys/utsname.h>

namespace breeze::agent {

bool rebootPendingFromSystem() {
    namespace fs = std::filesystem;
    std::error_code error;
    if (fs::exists("/run/reboot-required", error) || fs::exists("/var/run/reboot-required", error))
        return true;
    utsname uts{};
    if (uname(&uts) != 0)
        return false;
    std::string newest;
    fs::file_time_type newestTime{};
    for (const auto& entry : fs::directory_iterator("/boot", error)) {
        const std::string file = entry.path().filename().string();
        if (file.rfind("vmlinuz-", 0) != 0)
            continue;
        const auto written = entry.last_write_time(error);
        if (newest.empty() || written > newestTime) {
            newest = file.substr(8);
            newestTime = written;
        }
    }
    return !newest.empty() && newest != uts.release;
}

} // namespace breeze::agent
