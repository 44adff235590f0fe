#pragma once

#include <string>

namespace breeze::agent {

// An X display to share, and what it takes to be let in.
struct DisplayTarget {
    std::string display;       // ":0"
    std::string authorityFile; // the session's Xauthority file; empty: none needed (or the agent's own)
    std::string user;          // whose session it is, for the audit trail and messages
};

} // namespace breeze::agent
