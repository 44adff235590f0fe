#pragma once

#include "state/AgentState.h"

#include <optional>
#include <string>

namespace breeze::agent {

struct EnrollmentOptions {
    std::string serverUrl;
    std::string key;
    std::optional<std::string> caFile;
    std::optional<std::string> caFingerprint;
    std::optional<std::string> identity; // overrides the machine-id (test rigs)
    std::string stateDirectory;
};

// Redeems an enrollment key: pins the server's CA, verifies the server against it, sends the key and what the
// machine is, and saves the device credential. On any failure nothing is written.
class Enroller {
public:
    static AgentState enroll(const EnrollmentOptions& options);
};

} // namespace breeze::agent
