#include "net/RelayConnection.h"

#include "net/WebSocketConnector.h"
#include "protocol/TerminalControl.h"
#include "units/Units.h"

#include <poll.h>

namespace breeze::net {

using protocol::StreamKind;

namespace {
constexpr std::size_t kMaxMessageBytes = protocol::kStreamHeaderBytes + protocol::kMaxStreamPayloadBytes;
constexpr std::size_t kMaxQueuedBytes = 4 * kMiB;
} // namespace

RelayConnection::RelayConnection(const std::string& relayUrl, const std::string& token, SSL_CTX* tls,
                                 protocol::SessionKind kind, std::chrono::milliseconds timeout)
    : m_kind(kind), m_credit(protocol::initialWindow(kind)) {
    auto target = webSocketTargetFor(relayUrl, "");
    target.path = relayUrl.substr(relayUrl.find('/', relayUrl.find("//") + 2));
    target.headers["Authorization"] = "Bearer " + token;
    auto upgraded = connectWebSocket(target, tls, timeout);
    m_channel = std::make_unique<WebSocketChannel>(std::move(upgraded.connection), protocol::WsRole::Client,
                                                   kMaxMessageBytes, kMaxQueuedBytes);
    m_channel->prime(upgraded.earlyBytes);
}

RelayConnection::~RelayConnection() {
    close();
}

void RelayConnection::close() {
    if (m_channel && m_channel->open())
        m_channel->close(protocol::kCloseNormal, "closed by the client");
}

void RelayConnection::send(StreamKind kind, std::string_view payload) {
    // Terminal input may be any length (a large paste): it goes in frames the relay and the agent handle
    // comfortably. Other frames (a file chunk, a control message) are whole messages and go as they are.
    constexpr std::size_t kChunk = 256 * kKiB;
    do {
        const auto part = kind == StreamKind::TerminalData ? payload.substr(0, kChunk) : payload;
        m_pending.push_back(protocol::encodeStreamFrame(kind, protocol::kRelayChannel, part));
        m_pendingBytes += m_pending.back().size();
        payload.remove_prefix(part.size());
    } while (!payload.empty());
    sendPending();
}

void RelayConnection::sendPending() {
    while (!m_pending.empty()) {
        const std::uint64_t cost =
            m_pending.front().size() - protocol::kStreamHeaderBytes + protocol::kFrameCost;
        if (cost > m_credit)
            break;
        m_credit -= cost;
        const auto kind = static_cast<StreamKind>(m_pending.front()[0]);
        m_channel->sendStream(m_pending.front(), kind == StreamKind::FileChunk
                                                     ? WebSocketChannel::Lane::Bulk
                                                     : WebSocketChannel::Lane::Priority);
        m_pendingBytes -= m_pending.front().size();
        m_pending.pop_front();
    }
    m_channel->flush();
}

void RelayConnection::grant(std::uint32_t bytes) {
    if (bytes == 0)
        return;
    m_channel->sendStream(protocol::encodeStreamFrame(StreamKind::Window, protocol::kRelayChannel,
                                                      protocol::encodeWindowIncrement(bytes)),
                          WebSocketChannel::Lane::Priority);
    m_channel->flush();
}

bool RelayConnection::pump(std::chrono::milliseconds timeout, const Handlers& handlers) {
    if (!m_channel->open())
        return false;
    pollfd fd{m_channel->fd(), static_cast<short>(POLLIN | (m_channel->wantsWrite() ? POLLOUT : 0)), 0};
    ::poll(&fd, 1, static_cast<int>(timeout.count()));
    const bool alive = m_channel->readAvailable([&](protocol::WsMessage&& message) {
        if (message.opcode != protocol::WsOpcode::Binary)
            return;
        const auto decoded = protocol::decodeStreamFrame(message.payload);
        if (!decoded)
            return;
        const auto& frame = *decoded.frame;
        if (frame.kind == StreamKind::Window) {
            if (const auto increment = protocol::decodeWindowIncrement(frame.payload))
                m_credit += *increment;
            return;
        }
        m_toGrant += frame.payload.size() + protocol::kFrameCost;
        if (frame.kind == StreamKind::SessionControl) {
            try {
                const auto control = protocol::decodeSessionControl(frame.payload);
                if (control["type"] == "closed")
                    m_ended = control;
                if (handlers.control)
                    handlers.control(control);
            } catch (const std::exception&) {
            }
        } else if (handlers.data) {
            handlers.data(frame.kind, frame.payload);
        }
    });
    if (!m_manualCredit && m_toGrant >= protocol::initialWindow(m_kind) / 4) {
        grant(static_cast<std::uint32_t>(m_toGrant));
        m_toGrant = 0;
    }
    sendPending();
    return alive && m_channel->open();
}

} // namespace breeze::net
