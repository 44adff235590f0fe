#pragma once

#include <string>

namespace breeze::agent {

// Decides which certificate authority the agent pins for its server before it sends any secret.
class ServerTrust {
public:
    // The CA in a PEM file the administrator handed out (must parse as a certificate).
    static std::string caFromFile(const std::string& path);
    // The certificate in the chain the server presents whose SHA-256 matches `fingerprint` (hex, colons and
    // case ignored). Nothing is sent to the server before the handshake; the caller then verifies the server
    // against the returned CA in the normal way, host name included.
    static std::string caFromFingerprint(const std::string& serverUrl, const std::string& fingerprint);
    static std::string normaliseFingerprint(const std::string& fingerprint);
};

} // namespace breeze::agent
