#pragma once

#include "units/Units.h"

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace breeze::server {

struct GatewaySettings {
    std::size_t eventLoops = 2;
    std::size_t maxConnections = 100'000;
    // Connections one address may hold before they are authenticated WebSocket sessions (REST, handshakes,
    // slow or idle peers): beyond it new ones are closed at once.
    std::size_t maxConnectionsPerAddress = 256;
    // How fast one address may open connections (each is a TLS handshake): a token bucket.
    double newConnectionsPerSecondPerAddress = 100;
    double newConnectionBurstPerAddress = 400;
    // Reverse proxies: every client behind one arrives from its address, so the caps do not apply to them.
    std::vector<std::string> uncappedAddresses;
    std::size_t maxMessageBytes = 4 * kMiB;
    std::size_t maxQueuedBytes = 8 * kMiB;
    // Per WebSocket session: messages held at once (the window the agent protocol announces) and a rate.
    // Past either the session is not read for a while (TCP slows the sender); nobody is cut off for them.
    std::size_t messageWindow = 64;
    double messagesPerSecond = 200;
    double messageBurst = 400;
    std::chrono::seconds handshakeTimeout{10};
    std::chrono::seconds pingInterval{30};
    std::chrono::seconds idleTimeout{90};

    // REST.
    std::size_t httpWorkers = 16;
    std::size_t httpMaxQueued = 256;
    std::size_t httpMaxBodyBytes = 4 * kMiB;
    std::chrono::seconds httpHeaderTimeout{10}; // from a request's first byte to the end of its head
    std::chrono::seconds httpBodyTimeout{30};   // for the whole body
    std::chrono::seconds httpIdleTimeout{15};   // a kept-alive connection waiting for its next request
    std::chrono::seconds httpWriteTimeout{30};  // an answer the client takes nothing of for this long
};

} // namespace breeze::server
