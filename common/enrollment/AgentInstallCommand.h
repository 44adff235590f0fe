#pragma once

#include <string>

namespace breeze::enrollment {

// The one line an administrator pastes on a new machine to install the agent package and enroll it: it writes
// the server's CA (which protects the package download and is pinned by the agent), downloads and installs
// the package, enrolls with the key and enables the service. Used by `breeze-admin enrollment-keys
// install-command` and the console. Everything spliced into the shell line is checked first (https URLs of
// plain characters, a key of base64url, a PEM of base64 and dashes), so no value can break out of its quotes:
// std::invalid_argument otherwise. An empty caPem leaves the CA to the machine's trust store.
std::string agentInstallCommand(const std::string& serverUrl, const std::string& caPem,
                                const std::string& key, const std::string& packageUrl = {});

} // namespace breeze::enrollment
