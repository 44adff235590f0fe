#pragma once

#include "net/TlsConnection.h"
#include "protocol/WebSocketCodec.h"

#include <chrono>
#include <deque>
#include <functional>
#include <random>
#include <string>

namespace breeze::net {

// One WebSocket connection after its upgrade, driven by whoever polls its descriptor: reads whatever the
// socket has (including records OpenSSL already decrypted, which poll cannot see), hands over whole
// messages, answers pings and closes, and writes a bounded queue without ever blocking. Not thread-safe: one
// event loop owns it.
class WebSocketChannel {
public:
    WebSocketChannel(std::unique_ptr<TlsConnection> connection, protocol::WsRole role,
                     std::size_t maxMessageBytes, std::size_t maxQueuedBytes);
    ~WebSocketChannel();

    int fd() const { return m_connection->fd(); }
    bool open() const { return m_open; }
    // Why the connection ended (peer's close reason, protocol error, I/O error).
    const std::string& closeReason() const { return m_closeReason; }
    std::chrono::steady_clock::time_point lastReceived() const { return m_lastReceived; }

    // Before the upgrade has completed: the HTTP head is raw bytes. readRaw appends at most `limit` bytes
    // in total to `into`; false once the connection has ended.
    bool readRaw(std::string& into, std::size_t limit);
    void sendRaw(std::string bytes);
    TlsConnection& tls() { return *m_connection; }
    // Bytes that arrived with the upgrade response, before the channel existed.
    void prime(std::string_view bytes) { m_reader.feed(bytes); }
    // Reads until the socket would block; each whole text or binary message goes to onMessage (pong frames
    // only refresh lastReceived). With `mayTake`, stops as soon as it says no: what was read stays buffered
    // and the rest stays in the socket, for a later call (back-pressure on a fast peer). Returns false once
    // the connection has ended.
    bool readAvailable(const std::function<void(protocol::WsMessage&&)>& onMessage,
                       const std::function<bool()>& mayTake = {});
    // False when the queue is over its bound: the peer is not keeping up and should be dropped.
    bool send(protocol::WsOpcode opcode, std::string_view payload);
    // Which queue a binary stream frame waits in: control frames, keystrokes and terminal output go before
    // bulk data (file chunks, video) at the next frame boundary, so typing stays quick during a transfer.
    enum class Lane { Priority, Bulk };
    // A binary stream frame whose sender keeps to a credit window (the session relay bounds what is queued,
    // so the control bound does not apply). False only once the channel is closing.
    bool sendStream(std::string_view payload, Lane lane);
    bool sendText(std::string_view payload) { return send(protocol::WsOpcode::Text, payload); }
    void sendPing() { send(protocol::WsOpcode::Ping, ""); }
    // Writes what the socket takes now. Returns false once the connection has ended.
    bool flush();
    bool wantsWrite() const { return !m_current.bytes.empty() || !m_queue.empty() || !m_bulk.empty(); }
    std::size_t queuedBytes() const { return m_queuedBytes; }
    // Bytes written to the socket since the channel began (progress of a slow reader, partial writes too).
    std::uint64_t bytesWritten() const { return m_bytesWritten; }
    // Before an upgrade (plain HTTP), once everything queued is written: ends our direction and lingers like
    // close(), so the peer reads the whole answer even if it is still sending.
    void finishRaw(const std::string& reason);
    // Drops the connection at once, both directions (a peer that missed a deadline).
    void abort(const std::string& reason) { end(reason); }
    // Queues a close frame, writes what it can and shuts the socket; the channel is then closed.
    void close(std::uint16_t code, const std::string& reason);
    // After close(): true when the peer may still be sending (read and drop it with discardInput() until it
    // ends, so the close frame reaches it instead of a reset).
    bool lingering() const { return m_lingering; }
    // Reads and drops input; false once the peer has finished (or the connection failed).
    bool discardInput();
    // Drops buffers an idle connection does not need.
    void releaseIdleBuffers() { m_reader.releaseIdleBuffers(); }

private:
    void end(std::string reason);
    std::optional<std::uint32_t> nextMask();

    std::unique_ptr<TlsConnection> m_connection;
    protocol::WsRole m_role;
    protocol::WebSocketFrameReader m_reader;
    std::size_t m_maxQueuedBytes;
    // The priority lane (text messages, pings, close, priority stream frames, in order) is written before the
    // bulk lane at frame boundaries. Only text and control frames count against maxQueuedBytes.
    struct Queued {
        std::string bytes;
        bool control = false;
    };
    std::deque<Queued> m_queue;
    std::deque<std::string> m_bulk;
    Queued m_current; // the frame being written (a retried TLS write needs the same bytes)
    std::size_t m_controlBytes = 0;
    std::size_t m_frontOffset = 0;
    std::size_t m_queuedBytes = 0;
    std::uint64_t m_bytesWritten = 0;
    bool m_open = true;
    bool m_closeSent = false;
    bool m_lingering = false;
    std::string m_closeReason;
    std::chrono::steady_clock::time_point m_lastReceived;
    std::minstd_rand m_maskRandom; // masking is not a secret (RFC 6455 §10.3 guards browsers, not us)
};

} // namespace breeze::net
