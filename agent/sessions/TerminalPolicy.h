#pragma once

#include "platform/Account.h"

#include <string>
#include <vector>

namespace breeze::agent {

// Whom and what a remote terminal may run as on this machine (`breeze-agent run --terminal-users`,
// `--terminal-shells`). The server asks; the device decides.
struct TerminalPolicy {
    std::vector<std::string> users{"*"}; // accounts a terminal may run as ("*": any with a login shell)
    std::vector<std::string> shells;     // shells allowed (empty: those in /etc/shells)
    std::size_t scrollbackLines = 10'000;

    struct Login {
        Account account;
        std::string shell;
    };
    // The account and shell for a request (empty: the agent's own account, its login shell). Throws
    // std::runtime_error with a reason a technician can act on.
    Login resolve(const std::string& user, const std::string& shell) const;
};

} // namespace breeze::agent
