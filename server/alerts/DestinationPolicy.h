#pragma once

#include <string>

struct sockaddr;

namespace breeze::server {

// Which addresses notifications may be sent to. A webhook URL is whatever an administrator typed, so the
// server must not become a way to reach what only it can reach: link-local addresses (cloud metadata
// services), unspecified, multicast and broadcast ones are always refused; loopback only when the
// configuration allows it (tests, a receiver on the same host); private networks unless it forbids them (an
// on-premises ticket system is a common receiver).
struct DestinationPolicy {
    bool allowLoopback = false;
    bool allowPrivate = true;

    // "" when the address may be used, else why not.
    std::string refusal(const ::sockaddr* address) const;
};

} // namespace breeze::server
