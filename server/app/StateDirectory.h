#pragma once

#include "config/ServerConfig.h"

#include <string>

namespace breeze::server {

// The server's private state on disk: TLS material (a generated CA and certificate when none is configured)
// and the keys that sign access tokens and seal TOTP secrets. Created with mode 0700/0600 on first start.
class StateDirectory {
public:
    static StateDirectory prepare(const ServerConfig& config);
    // Issues a new server certificate under the same CA when the generated one is within
    // tls.renew_before_days of expiring (or its names changed); true when it did. Agents pin the CA, so they
    // notice nothing.
    static bool renewGeneratedCertificate(const ServerConfig& config);

    std::string caCertificateFile; // empty when the operator brought their own certificate
    std::string certificateFile;
    std::string privateKeyFile;
    std::string tokenSigningKey; // raw bytes
    std::string sealingKey;      // raw bytes, 32
};

} // namespace breeze::server
