#include "state/AgentState.h"

#include "platform/WriteAll.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace breeze::agent {

namespace fs = std::filesystem;

std::string AgentState::defaultDirectory() {
    if (::geteuid() == 0)
        return "/var/lib/breeze-agent";
    if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg)
        return (fs::path(xdg) / "breeze-agent").string();
    if (const char* home = std::getenv("HOME"); home && *home)
        return (fs::path(home) / ".local/state/breeze-agent").string();
    return "breeze-agent-state";
}

void preparePrivateDirectory(const std::string& directory) {
    fs::create_directories(directory);
    if (::chmod(directory.c_str(), 0700) != 0)
        throw std::runtime_error("cannot make " + directory + " private");
}

void writePrivateFile(const std::string& path, const std::string& content) {
    // Private from its first byte (created 0600), on disk before it replaces the old file, and the rename on
    // disk too: a credential the server was told is saved must survive a power cut.
    const std::string temp = path + ".tmp";
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        throw std::runtime_error("cannot write " + temp + ": " + std::strerror(errno));
    if (!writeAll(fd, content)) {
        const int error = errno;
        ::close(fd);
        throw std::runtime_error("cannot write " + temp + ": " + std::strerror(error));
    }
    if (::fchmod(fd, 0600) != 0 || ::fsync(fd) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot write " + temp + ": " + std::strerror(errno));
    }
    ::close(fd);
    fs::rename(temp, path);
    const int dir = ::open(fs::path(path).parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
}

std::optional<AgentState> AgentState::load(const std::string& directory) {
    std::ifstream in(fs::path(directory) / "state.json");
    if (!in)
        return std::nullopt;
    const auto doc = nlohmann::json::parse(in, nullptr, false);
    if (!doc.is_object())
        throw std::runtime_error("the agent state in " + directory + " is damaged; enroll again");
    AgentState state;
    state.serverUrl = doc.value("server_url", "");
    state.deviceId = doc.value("device_id", "");
    state.credential = doc.value("credential", "");
    state.orgId = doc.value("org_id", "");
    state.siteId = doc.value("site_id", "");
    state.identity = doc.value("identity", "");
    state.approval = doc.value("approval", "");
    state.gatewayPort = doc.value("gateway_port", 8444);
    std::ifstream ca(fs::path(directory) / "server-ca.pem");
    if (ca) {
        std::ostringstream pem;
        pem << ca.rdbuf();
        state.pinnedCaPem = pem.str();
    }
    return state;
}

std::string AgentState::caFile(const std::string& directory) {
    return (fs::path(directory) / "server-ca.pem").string();
}

void AgentState::save(const std::string& directory) const {
    preparePrivateDirectory(directory);
    // The CA goes first: a state.json that exists always has its pin beside it.
    const fs::path caPath = fs::path(directory) / "server-ca.pem";
    if (pinnedCaPem.empty())
        fs::remove(caPath);
    else
        writePrivateFile(caPath.string(), pinnedCaPem);
    writePrivateFile((fs::path(directory) / "state.json").string(),
                     nlohmann::json{{"server_url", serverUrl},
                                    {"device_id", deviceId},
                                    {"credential", credential},
                                    {"org_id", orgId},
                                    {"site_id", siteId},
                                    {"identity", identity},
                                    {"approval", approval},
                                    {"gateway_port", gatewayPort}}
                             .dump(2) +
                         "\n");
}

} // namespace breeze::agent
