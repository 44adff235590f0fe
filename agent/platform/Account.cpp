#include "platform/Account.h"

#include <pwd.h>

namespace breeze::agent {

namespace {
std::optional<Account> accountOf(const passwd* entry) {
    if (!entry)
        return std::nullopt;
    return Account{entry->pw_uid, entry->pw_gid, entry->pw_name, entry->pw_dir,
                   entry->pw_shell && *entry->pw_shell ? entry->pw_shell : "/bin/sh"};
}
} // namespace

std::optional<Account> Account::named(const std::string& name) {
    passwd entry{};
    passwd* found = nullptr;
    char buffer[4096];
    if (getpwnam_r(name.c_str(), &entry, buffer, sizeof buffer, &found) != 0)
        return std::nullopt;
    return accountOf(found);
}

std::optional<Account> Account::ofUid(uid_t uid) {
    passwd entry{};
    passwd* found = nullptr;
    char buffer[4096];
    if (getpwuid_r(uid, &entry, buffer, sizeof buffer, &found) != 0)
        return std::nullopt;
    return accountOf(found);
}

} // namespace breeze::agent
