#pragma once

#include <string>
#include <vector>

namespace breeze::server {

// The address a request came from. Behind a reverse proxy every connection comes from the proxy, so for peers
// listed in http.trusted_proxies the right-most X-Forwarded-For entry that is not itself a trusted proxy is
// taken instead (entries further left were written by the client and prove nothing). Anything that is not a
// well-formed IPv4 or IPv6 address is ignored. Throttling and audit see this address.
std::string clientAddress(const std::string& peer, const std::string& forwardedFor,
                          const std::vector<std::string>& trustedProxies);

// What limits per address count by: an IPv4 address itself, an IPv6 address by its /64 (one subscriber's
// network hands out a whole /64, so counting each address would make such limits meaningless).
std::string addressBucket(const std::string& address);

} // namespace breeze::server
