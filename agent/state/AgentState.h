#pragma once

#include <optional>
#include <string>

namespace breeze::agent {

// What an enrolled agent knows about itself and its server: kept in the state folder (mode 0700) as
// state.json and server-ca.pem (mode 0600), written atomically so a crash never leaves half a state behind.
struct AgentState {
    std::string serverUrl;
    std::string deviceId;
    std::string credential;
    std::string orgId;
    std::string siteId;
    std::string identity;
    std::string approval;
    int gatewayPort = 8444;  // agents connect to wss://<server host>:gatewayPort/api/v1/agent/ws
    std::string pinnedCaPem; // empty: the system's trust store

    static std::string defaultDirectory();
    static std::optional<AgentState> load(const std::string& directory);
    static std::string caFile(const std::string& directory);
    void save(const std::string& directory) const;
};

// Creates `directory` if needed and makes it private to its owner.
void preparePrivateDirectory(const std::string& directory);
// Writes `content` to `path` with mode 0600 through a temporary file and a rename.
void writePrivateFile(const std::string& path, const std::string& content);

} // namespace breeze::agent
