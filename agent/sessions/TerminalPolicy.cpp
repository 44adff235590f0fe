#include "sessions/TerminalPolicy.h"

#include <algorithm>
#include <fstream>
#include <stdexcept>
#include <unistd.h>

namespace breeze::agent {

namespace {
std::vector<std::string> systemShells() {
    std::vector<std::string> shells;
    std::ifstream file("/etc/shells");
    std::string line;
    while (std::getline(file, line))
        if (line.starts_with('/'))
            shells.push_back(line);
    return shells;
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
    return std::ranges::find(list, value) != list.end();
}
} // namespace

TerminalPolicy::Login TerminalPolicy::resolve(const std::string& user, const std::string& shell) const {
    const auto self = Account::ofUid(::geteuid());
    if (!self)
        throw std::runtime_error("the agent's own account is not in the password database");
    Login login{*self, {}};
    if (!user.empty() && user != self->name) {
        if (!contains(users, "*") && !contains(users, user))
            throw std::runtime_error("this device's policy does not allow terminals as " + user);
        if (::geteuid() != 0)
            throw std::runtime_error("the agent does not run as root, so terminals run only as " +
                                     self->name);
        const auto account = Account::named(user);
        if (!account)
            throw std::runtime_error("there is no user " + user + " on this device");
        login.account = *account;
    } else if (!contains(users, "*") && !contains(users, self->name)) {
        throw std::runtime_error("this device's policy does not allow terminals as " + self->name);
    }
    const auto allowed = shells.empty() ? systemShells() : shells;
    login.shell = shell.empty() ? login.account.shell : shell;
    if (!contains(allowed, login.shell)) {
        if (!shell.empty())
            throw std::runtime_error("the shell " + shell + " is not allowed on this device");
        if (login.account.name != self->name)
            throw std::runtime_error(login.account.name + " has no login shell (" + login.account.shell +
                                     ")");
        login.shell = "/bin/sh"; // the agent's own service account: still give its administrators a shell
    }
    if (::access(login.shell.c_str(), X_OK) != 0)
        throw std::runtime_error("the shell " + login.shell + " cannot be run");
    return login;
}

} // namespace breeze::agent
