#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace breeze::admin {

// The signed-in state breeze-admin keeps between runs: server, CA file, refresh token and the current access
// token, in $BREEZE_ADMIN_CONFIG_DIR or ~/.config/breeze/admin-session.json with mode 0600.
class AdminSession {
public:
    static std::string defaultPath();
    static std::optional<AdminSession> load(const std::string& path);
    void save(const std::string& path) const;
    static void remove(const std::string& path);

    std::string server;
    std::string caFile;
    std::string refreshToken;
    std::string accessToken;
    long long accessExpiresAt = 0; // unix seconds
};

} // namespace breeze::admin
