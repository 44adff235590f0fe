#pragma once

#include <optional>
#include <string>

namespace breeze::agent {

// How this machine describes itself at enrollment. Linux implementation; other platforms slot in here.
struct MachineIdentity {
    std::string identity; // stable across reinstalls of the agent: the machine-id
    std::string hostname;
    std::string os;

    // `identityOverride` replaces the machine-id (test rigs, images cloned without a fresh machine-id).
    static MachineIdentity detect(const std::optional<std::string>& identityOverride);
};

} // namespace breeze::agent
