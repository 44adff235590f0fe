#pragma once

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace breeze::agent {

// An X display to share, what it takes to be let in, and whom it must belong to.
struct DisplayTarget {
    std::string display;       // ":0"
    std::string authorityFile; // the session's Xauthority file; empty: none needed (or the agent's own)
    std::string user;          // whose session it is, for the audit trail and messages
    // Found rather than configured: the X server must run as one of these (checked on its socket before the
    // cookie is sent, and on the connection after), and the cookie file must belong to authorityOwner. So a
    // local user cannot stand up a display of their own for the technician to see and type into, nor make the
    // agent read a file that is not theirs. Empty and none: an administrator named the display (trusted).
    std::vector<uid_t> serverOwners;
    std::optional<uid_t> authorityOwner;
};

} // namespace breeze::agent
