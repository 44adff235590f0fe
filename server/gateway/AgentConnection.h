#pragma once

#include "gateway/AgentSession.h"
#include "net/WebSocketChannel.h"

#include <chrono>
#include <memory>
#include <string>

namespace breeze::server {

class AgentSessionHandler;

// Per-socket state held by an event loop. Kept small: an idle agent should cost the server only its TLS
// session, this struct and the kernel's socket buffers.
struct AgentConnection {
    // Closing: our close frame is out; the peer's remaining input is read and dropped until it hangs up (or a
    // short deadline), so it reads the close reason instead of a connection reset.
    enum class Phase { TlsHandshake, UpgradeRequest, Admitting, Open, Closing };

    std::unique_ptr<net::WebSocketChannel> channel;
    Phase phase = Phase::TlsHandshake;
    std::string requestHead; // only until the upgrade is read
    std::string webSocketKey;
    AgentSession session;
    AgentSessionHandler* handler = nullptr;         // the endpoint's, once the upgrade has named one
    std::chrono::steady_clock::time_point deadline; // for the phases before Open
    std::chrono::steady_clock::time_point lastPing;
    // Token bucket for inbound messages.
    double tokens = 0;
    std::chrono::steady_clock::time_point refilledAt;
    std::uint32_t epollEvents = 0;
};

} // namespace breeze::server
