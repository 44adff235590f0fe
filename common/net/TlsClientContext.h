#pragma once

#include <Poco/Net/Context.h>
#include <string>

namespace breeze::net {

// A TLS 1.2+ client context that verifies the server's chain against caFile (or the system's trust store when
// empty; both when `alsoSystemStore`) and, during the handshake itself, that the certificate names `host` (a
// DNS name or an IP address).
Poco::Net::Context::Ptr makeVerifyingClientContext(const std::string& host, const std::string& caFile,
                                                   bool alsoSystemStore = false);

} // namespace breeze::net
