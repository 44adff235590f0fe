#pragma once

#include "net/WebSocketChannel.h"
#include "protocol/SessionMessages.h"
#include "protocol/StreamFrame.h"

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace breeze::net {

// A client's end of one live session (breeze-admin shell and files, tests, benchmarks): the relay WebSocket
// the session API named, opened with its one-use token, and the credit rules of protocol/SessionMessages.h.
// Data goes out only within the agent's credit (the rest waits here, for the caller to bound); what arrives
// is handed over and, unless the caller grants by hand, credited back at once. Not thread-safe: one thread
// drives it with pump().
class RelayConnection {
public:
    struct Handlers {
        std::function<void(protocol::StreamKind kind, std::string_view payload)> data;
        std::function<void(const nlohmann::json& control)> control;
    };

    // Throws WebSocketRefused (the server said no: a used token, an offline device) or std::runtime_error.
    RelayConnection(const std::string& relayUrl, const std::string& token, SSL_CTX* tls,
                    protocol::SessionKind kind, std::chrono::milliseconds timeout = std::chrono::seconds(15));
    ~RelayConnection();

    int fd() const { return m_channel->fd(); }
    bool open() const { return m_channel->open(); }
    const std::string& closeReason() const { return m_channel->closeReason(); }
    // The session's end as the server reported it (the shell's exit code, who closed it).
    const std::optional<nlohmann::json>& ended() const { return m_ended; }

    // Queues data (TerminalData, FileChunk) or a control message; sent as credit allows.
    void send(protocol::StreamKind kind, std::string_view payload);
    void sendControl(const std::string& json) { send(protocol::StreamKind::SessionControl, json); }
    // Bytes queued and not yet sent (waiting for credit or for the socket).
    std::size_t pendingBytes() const { return m_pendingBytes + m_channel->queuedBytes(); }
    // Credit is given back as data is handed over, unless held back (a deliberately slow reader): what was
    // consumed meanwhile is given back once it is no longer held.
    void setManualCredit(bool manual) { m_manualCredit = manual; }
    void grant(std::uint32_t bytes);

    // Waits up to `timeout` for the socket, reads and hands over what arrived, sends what credit allows.
    // False once the connection has ended.
    bool pump(std::chrono::milliseconds timeout, const Handlers& handlers);
    void close();

private:
    void sendPending();

    std::unique_ptr<WebSocketChannel> m_channel;
    protocol::SessionKind m_kind;
    std::uint64_t m_credit;      // what the agent still takes
    std::uint64_t m_toGrant = 0; // consumed, not yet credited back
    bool m_manualCredit = false;
    std::deque<std::string> m_pending; // encoded frames waiting for credit
    std::size_t m_pendingBytes = 0;
    std::optional<nlohmann::json> m_ended;
};

} // namespace breeze::net
