#include "net/WebSocketChannel.h"

#include <array>
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
      m_maskRandom(static_cast<unsigned>(std::random_device{}())) {}

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
    m_lingering = m_closeSent && m_queue.empty();
    m_queue.clear();
    m_queuedBytes = 0;
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
    m_queue.push_back(std::move(bytes));
}

bool WebSocketChannel::send(WsOpcode opcode, std::string_view payload) {
    if (!m_open || m_closeSent)
        return false;
    if (m_queuedBytes + payload.size() > m_maxQueuedBytes)
        return false;
    m_queue.push_back(protocol::encodeWebSocketFrame(opcode, payload, nextMask()));
    m_queuedBytes += m_queue.back().size();
    return true;
}

bool WebSocketChannel::flush() {
    while (m_open && !m_queue.empty()) {
        const std::string& front = m_queue.front();
        // A retried TLS write must present the same bytes: the front frame stays put until written.
        const auto sent = m_connection->write(front.data() + m_frontOffset, front.size() - m_frontOffset);
        if (sent.io == Io::WouldBlock)
            return true;
        if (sent.io != Io::Ok) {
            end("write failed: " + m_connection->error());
            return false;
        }
        m_frontOffset += sent.bytes;
        m_bytesWritten += sent.bytes;
        if (m_frontOffset == front.size()) {
            m_queuedBytes -= front.size();
            m_queue.pop_front();
            m_frontOffset = 0;
        }
    }
    if (m_queue.empty())
        m_queue.shrink_to_fit();
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
        m_queue.push_back(protocol::encodeCloseFrame(code, reason, nextMask()));
        m_queuedBytes += m_queue.back().size();
        m_closeSent = true;
    }
    flush();
    end(reason.empty() ? "closed" : reason);
}

} // namespace breeze::net
