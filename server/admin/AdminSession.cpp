#include "AdminSession.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>

namespace breeze::admin {

namespace fs = std::filesystem;

std::string AdminSession::defaultPath() {
    if (const char* dir = std::getenv("BREEZE_ADMIN_CONFIG_DIR"); dir && *dir)
        return (fs::path(dir) / "admin-session.json").string();
    fs::path base;
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg)
        base = xdg;
    else if (const char* home = std::getenv("HOME"); home && *home)
        base = fs::path(home) / ".config";
    else
        base = ".";
    return (base / "breeze" / "admin-session.json").string();
}

std::optional<AdminSession> AdminSession::load(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        return std::nullopt;
    const auto doc = nlohmann::json::parse(in, nullptr, false);
    if (!doc.is_object())
        return std::nullopt;
    AdminSession session;
    session.server = doc.value("server", "");
    session.caFile = doc.value("ca", "");
    session.refreshToken = doc.value("refresh_token", "");
    session.accessToken = doc.value("access_token", "");
    session.accessExpiresAt = doc.value("access_expires_at", 0LL);
    return session;
}

void AdminSession::save(const std::string& path) const {
    const fs::path file(path);
    fs::create_directories(file.parent_path());
    ::chmod(file.parent_path().c_str(), 0700);
    const std::string temp = path + ".tmp";
    {
        std::ofstream out(temp, std::ios::trunc);
        ::chmod(temp.c_str(), 0600);
        out << nlohmann::json{{"server", server},
                              {"ca", caFile},
                              {"refresh_token", refreshToken},
                              {"access_token", accessToken},
                              {"access_expires_at", accessExpiresAt}}
                   .dump(2);
    }
    fs::rename(temp, file);
}

void AdminSession::remove(const std::string& path) {
    std::error_code ignored;
    fs::remove(path, ignored);
}

} // namespace breeze::admin
