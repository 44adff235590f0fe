#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace breeze::server {

// Who is on the other end of an authenticated agent connection, and where the gateway keeps it.
struct AgentSession {
    std::size_t loop = 0;
    std::uint64_t connection = 0; // unique per server process
    std::string connectionId;     // a UUID, recorded on the device row while this connection is current
    // What the gateway's registry knows the connection by: the device id for agents (a newer connection of
    // the same device replaces the older), a unique "console:<uuid>" for consoles.
    std::string key;
    std::string deviceId;
    std::string partnerId;
    std::string orgId;
    std::string siteId;
    std::string address;
};

// The gateway's answer to an upgrade request, decided by the handler from the device credential.
struct AgentAdmission {
    bool admitted = false;
    int status = 401;
    std::string code;
    std::string message;
    AgentSession session; // when admitted: the device fields are filled in
};

} // namespace breeze::server
