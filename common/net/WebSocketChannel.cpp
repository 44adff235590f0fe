#include "net/WebSocketChannel.h"

#include <array>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace breeze::net {

using protocol::WsMessage;
using protocol::WsOpcode;
using protocol::WsRole;

using Io = TlsConnection::Io;

WebSocketChannel::WebSocketChannel(std::unique_ptr<TlsConnection> connection, WsRole role,
                                   std::size_t maxMessageBytes, std::size_t maxQueuedBytes)
    : m_connection(std::move(connection)), m_role(role), m_reader(role, maxMessageBytes),
      m_maxQueuedBytes(maxQueuedBytes), m_lastReceived(std::chrono::steady_clock::now()),
      m_maskRandom(static_cast<unsigned>(std::random_device{}())) {
    // The priority lane reaches into the kernel: it holds at most this much not yet sent, so a keystroke
    // queued behind a file transfer waits for a few hundred KiB to leave, not for megabytes of send buffer.
    const int lowWater = 128 * 1024;
    ::setsockopt(m_connection->fd(), IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowWater, sizeof lowWater);
}

WebSocketChannel::~WebSocketChannel() = default;

std::optional<std::uint32_t> WebSocketChannel::nextMask() {
    if (m_role == WsRole::Server)
        return std::nullopt;
    return static_cast<std::uint32_t>(m_maskRandom());
}

void WebSocketChannel::end(std::string reason) {
    if (!m_open)
        return;
    m_open = false;
    if (m_closeReason.empty())
        m_closeReason = std::move(reason);
    // After a close frame went out whole, only our direction ends (FIN): the peer can still read that frame
    // even while it is sending. Closing both ways with unread input would reset the connection and lose it.
    m_lingering = m_closeSent && m_queue.empty() && m_current.bytes.empty();
    m_queue.clear();
    m_bulk.clear();
    m_current = Queued();
    m_queuedBytes = 0;
    m_controlBytes = 0;
    m_frontOffset = 0;
    m_connection->sendCloseNotify();
    ::shutdown(m_connection->fd(), m_lingering ? SHUT_WR : SHUT_RDWR);
}

bool WebSocketChannel::discardInput() {
    std::array<char, 4096> buffer{};
    for (;;) {
        const auto received = m_connection->read(buffer.data(), buffer.size());
        if (received.io == Io::WouldBlock)
            return true;
        if (received.io != Io::Ok)
            return false;
    }
}

bool WebSocketChannel::readAvailable(const std::function<void(WsMessage&&)>& onMessage,
                                     const std::function<bool()>& mayTake) {
    thread_local std::array<char, 16384> buffer;
    while (m_open) {
        // Messages already read come first; the socket is read only once they are all handed over.
        for (;;) {
            if (mayTake && !mayTake())
                return m_open && flush(); // the rest waits, here and in the kernel, until the owner resumes
            auto message = m_reader.next();
            if (!message)
                break;
            switch (message->opcode) {
            case WsOpcode::Ping:
                send(WsOpcode::Pong, message->payload);
                break;
            case WsOpcode::Pong:
                break;
            case WsOpcode::Close: {
                std::string reason = "peer closed the connection";
                if (message->payload.size() >= 2) {
                    const int code = (static_cast<unsigned char>(message->payload[0]) << 8) |
                                     static_cast<unsigned char>(message->payload[1]);
                    reason =
                        "peer closed (" + std::to_string(code) +
                        (message->payload.size() > 2 ? ": " + message->payload.substr(2) : std::string()) +
                        ")";
                }
                m_closeReason = reason;
                close(protocol::kCloseNormal, "");
                return false;
            }
            default:
                onMessage(std::move(*message));
                if (!m_open)
                    return false;
            }
        }
        if (m_reader.failed()) {
            m_closeReason = "protocol error: " + m_reader.error();
            close(m_reader.error().starts_with("message larger") ? protocol::kCloseTooBig
                                                                 : protocol::kCloseProtocolError,
                  m_reader.error());
            return false;
        }
        const auto received = m_connection->read(buffer.data(), buffer.size());
        if (received.io == Io::WouldBlock)
            break;
        if (received.io != Io::Ok) {
            end(received.io == Io::Closed ? "connection closed by peer"
                                          : "read failed: " + m_connection->error());
            return false;
        }
        m_lastReceived = std::chrono::steady_clock::now();
        m_reader.feed(std::string_view(buffer.data(), received.bytes));
    }
    m_reader.releaseIdleBuffers();
    return m_open && flush();
}

bool WebSocketChannel::readRaw(std::string& into, std::size_t limit) {
    std::array<char, 4096> buffer{};
    while (m_open && into.size() < limit) {
        const auto received = m_connection->read(buffer.data(), std::min(buffer.size(), limit - into.size()));
        if (received.io == Io::WouldBlock)
            return true;
        if (received.io != Io::Ok) {
            end(received.io == Io::Closed ? "connection closed by peer"
                                          : "read failed: " + m_connection->error());
            return false;
        }
        into.append(buffer.data(), received.bytes);
    }
    return m_open;
}

void WebSocketChannel::sendRaw(std::string bytes) {
    if (!m_open)
        return;
    m_queuedBytes += bytes.size();
    m_controlBytes += bytes.size();
    m_queue.push_back({std::move(bytes), true});
}

bool WebSocketChannel::send(WsOpcode opcode, std::string_view payload) {
    if (!m_open || m_closeSent)
        return false;
    if (m_controlBytes + payload.size() > m_maxQueuedBytes)
        return false;
    m_queue.push_back({protocol::encodeWebSocketFrame(opcode, payload, nextMask()), true});
    m_queuedBytes += m_queue.back().bytes.size();
    m_controlBytes += m_queue.back().bytes.size();
    return true;
}

bool WebSocketChannel::sendStream(std::string_view payload, Lane lane) {
    if (!m_open || m_closeSent)
        return false;
    std::string frame = protocol::encodeWebSocketFrame(WsOpcode::Binary, payload, nextMask());
    m_queuedBytes += frame.size();
    if (lane == Lane::Priority)
        m_queue.push_back({std::move(frame), false});
    else
        m_bulk.push_back(std::move(frame));
    return true;
}

bool WebSocketChannel::flush() {
    while (m_open) {
        if (m_current.bytes.empty()) {
            if (!m_queue.empty()) {
                m_current = std::move(m_queue.front());
                m_queue.pop_front();
            } else if (!m_bulk.empty()) {
                m_current = {std::move(m_bulk.front()), false};
                m_bulk.pop_front();
            } else {
                break;
            }
            m_frontOffset = 0;
        }
        // A retried TLS write must present the same bytes: the current frame stays put until written.
        const std::string& bytes = m_current.bytes;
        const auto sent = m_connection->write(bytes.data() + m_frontOffset, bytes.size() - m_frontOffset);
        if (sent.io == Io::WouldBlock)
            return true;
        if (sent.io != Io::Ok) {
            end("write failed: " + m_connection->error());
            return false;
        }
        m_frontOffset += sent.bytes;
        m_bytesWritten += sent.bytes;
        if (m_frontOffset == bytes.size()) {
            m_queuedBytes -= bytes.size();
            if (m_current.control)
                m_controlBytes -= bytes.size();
            m_current = Queued();
            m_frontOffset = 0;
        }
    }
    if (m_queue.empty())
        m_queue.shrink_to_fit();
    if (m_bulk.empty())
        m_bulk.shrink_to_fit();
    return m_open;
}

void WebSocketChannel::finishRaw(const std::string& reason) {
    if (!m_open)
        return;
    flush();
    m_closeSent = true;
    end(reason);
}

void WebSocketChannel::close(std::uint16_t code, const std::string& reason) {
    if (!m_open)
        return;
    if (!m_closeSent) {
        // The close frame goes after everything of the priority lane (a session's last output, then its
        // end) but nothing may follow it: bulk frames not yet begun are dropped.
        for (const auto& frame : m_bulk)
            m_queuedBytes -= frame.size();
        m_bulk.clear();
        m_queue.push_back({protocol::encodeCloseFrame(code, reason, nextMask()), true});
        m_queuedBytes += m_queue.back().bytes.size();
        m_controlBytes += m_queue.back().bytes.size();
        m_closeSent = true;
    }
    flush();
    end(reason.empty() ? "closed" : reason);
}

} // namespace breeze::net
