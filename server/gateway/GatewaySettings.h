#pragma once

#include <chrono>
#include <cstddef>

namespace breeze::server {

struct GatewaySettings {
    std::size_t eventLoops = 2;
    std::size_t maxConnections = 100'000;
    std::size_t maxMessageBytes = 4 * 1024 * 1024;
    std::size_t maxQueuedBytes = 8 * 1024 * 1024;
    double messagesPerSecond = 20;
    double messageBurst = 200;
    std::chrono::seconds handshakeTimeout{10};
    std::chrono::seconds pingInterval{30};
    std::chrono::seconds idleTimeout{90};
};

} // namespace breeze::server
