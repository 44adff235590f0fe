#pragma once

#include "gateway/AgentSession.h"
#include "gateway/HttpRequestHandler.h"
#include "gateway/InboundWindow.h"
#include "net/WebSocketChannel.h"
#include "protocol/HttpBodyReader.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace breeze::server {

class AgentSessionHandler;

// Per-socket state held by an event loop. Kept small: an idle connection should cost the server only its TLS
// session, this struct and the kernel's socket buffers, never a thread.
struct Connection {
    // TlsHandshake, then RequestHead. A WebSocket upgrade goes on to Admitting (its credential checked on a
    // worker) and Open. An HTTP request goes to Dispatching (routed and authenticated on a worker),
    // RequestBody when it has one, Handling (the route runs on a worker) and Responding, then back to
    // RequestHead when the connection is kept alive. Closing: our last bytes are out; the peer's remaining
    // input is read and dropped until it hangs up (or a short deadline), so it reads the answer instead of a
    // reset.
    enum class Phase {
        TlsHandshake,
        RequestHead,
        Dispatching,
        RequestBody,
        Handling,
        Responding,
        Admitting,
        Open,
        Closing
    };

    std::unique_ptr<net::WebSocketChannel> channel;
    Phase phase = Phase::TlsHandshake;
    std::string input; // received but not yet used: a request head, body bytes, a pipelined request
    std::string webSocketKey;
    AgentSession session;
    AgentSessionHandler* handler = nullptr;         // the endpoint's, once the upgrade has named one
    std::chrono::steady_clock::time_point deadline; // for the phases with one
    std::chrono::steady_clock::time_point lastPing;
    // Token bucket for inbound WebSocket messages.
    double tokens = 0;
    std::chrono::steady_clock::time_point refilledAt;
    // Back-pressure on an open session: its messages in the handler's hands, whether the socket is left
    // unread for now (the window is full, the rate spent, or the handler's queues full), and a message the
    // handler could not take yet.
    std::shared_ptr<InboundWindow> window;
    bool readPaused = false;
    std::optional<std::string> held;
    std::uint32_t epollEvents = 0;
    // Counted against its address's connection cap until it is an authenticated WebSocket session.
    bool countedForAddress = true;
    bool ended = false;      // destroy() has run: nothing more is done with it
    bool httpActive = false; // a REST request has been read and not yet fully answered
    // An open session to be closed with this code and reason once everything queued for it is written.
    std::optional<std::pair<std::uint16_t, std::string>> closeWhenDrained;

    // The HTTP request under way.
    std::shared_ptr<HttpExchange> exchange;
    std::optional<protocol::HttpBodyReader> body;
    bool keepAlive = false;
    std::shared_ptr<std::FILE> file; // the rest of a streamed answer
    std::uint64_t fileLeft = 0;
    std::uint64_t writtenAtDeadline = 0; // bytes written when the write deadline was last moved
    std::size_t headScanned = 0;         // bytes of `input` known not to end a head (no rescans per byte)
    bool expectContinue = false;         // the client waits for "100 Continue" before sending its body
};

} // namespace breeze::server
