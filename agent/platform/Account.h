#pragma once

#include <optional>
#include <string>
#include <sys/types.h>

namespace breeze::agent {

// A local user as the password database has it.
struct Account {
    uid_t uid = 0;
    gid_t gid = 0;
    std::string name;
    std::string home;
    std::string shell; // "/bin/sh" when the entry names none

    static std::optional<Account> named(const std::string& name);
    static std::optional<Account> ofUid(uid_t uid);
};

} // namespace breeze::agent
