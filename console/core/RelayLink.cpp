#include "RelayLink.h"

#include "protocol/SessionMessages.h"
#include "protocol/StreamFrame.h"
#include "protocol/TerminalControl.h"

#include <QJsonDocument>
#include <QNetworkRequest>

namespace breeze::console {

RelayLink::RelayLink(const QSslConfiguration& ssl, quint64 window, QObject* parent)
    : QObject(parent), m_window(window) {
    m_socket.setSslConfiguration(ssl);
    // Frames up to the protocol's largest, and never more buffered than the relay's credit allows.
    m_socket.setMaxAllowedIncomingMessageSize(protocol::kStreamHeaderBytes +
                                              protocol::kMaxStreamPayloadBytes);
    connect(&m_socket, &QWebSocket::connected, this, [this] {
        m_open = true;
        m_credit = m_window;
        m_toGrant = 0;
        Q_EMIT opened();
        flushPending();
    });
    connect(&m_socket, &QWebSocket::binaryMessageReceived, this, &RelayLink::onBinary);
    // Once per attempt, whichever comes: the connection ending, or an attempt failing before it opened.
    const auto ended = [this] {
        if (m_reported)
            return;
        m_reported = true;
        m_open = false;
        Q_EMIT closed(m_socket.closeReason().isEmpty() ? m_socket.errorString() : m_socket.closeReason());
    };
    connect(&m_socket, &QWebSocket::disconnected, this, ended);
    connect(&m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this, [this, ended] {
        if (!m_open)
            ended();
    });
}

RelayLink::~RelayLink() {
    // The socket's last signals (it closes as it goes) must not reach an owner that is being destroyed.
    QObject::disconnect(&m_socket, nullptr, this, nullptr);
}

void RelayLink::open(const SessionGrant& grant) {
    m_reported = false;
    m_pending.clear();
    m_pendingBytes = 0;
    QNetworkRequest request(grant.relayUrl);
    request.setRawHeader("Authorization", "Bearer " + grant.token.toUtf8());
    m_socket.open(request);
}

void RelayLink::abort() {
    m_socket.abort();
}

void RelayLink::close() {
    m_socket.close(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("closed by the technician"));
}

void RelayLink::send(int kind, const QByteArray& payload) {
    // A long paste goes in pieces that fit the credit as it comes; a file chunk or a control message is one
    // frame, since the receiver decodes each frame whole.
    const qsizetype kChunk = kind == static_cast<int>(protocol::StreamKind::TerminalData)
                                 ? qsizetype{64} * 1024
                                 : std::max<qsizetype>(payload.size(), 1);
    qsizetype at = 0;
    do {
        const QByteArray part = payload.mid(at, kChunk);
        const auto frame = protocol::encodeStreamFrame(
            static_cast<protocol::StreamKind>(kind), protocol::kRelayChannel,
            std::string_view(part.constData(), static_cast<std::size_t>(part.size())));
        m_pending.emplace_back(frame.data(), static_cast<qsizetype>(frame.size()));
        m_pendingBytes += static_cast<qint64>(frame.size());
        at += kChunk;
    } while (at < payload.size());
    flushPending();
}

void RelayLink::sendControl(const QJsonObject& control) {
    send(static_cast<int>(protocol::StreamKind::SessionControl),
         QJsonDocument(control).toJson(QJsonDocument::Compact));
}

void RelayLink::flushPending() {
    bool sent = false;
    while (m_open && !m_pending.empty()) {
        const quint64 cost = static_cast<quint64>(m_pending.front().size()) - protocol::kStreamHeaderBytes +
                             protocol::kFrameCost;
        if (cost > m_credit)
            break; // the rest goes when the agent grants more
        m_credit -= cost;
        m_socket.sendBinaryMessage(m_pending.front());
        m_pendingBytes -= m_pending.front().size();
        m_pending.pop_front();
        sent = true;
    }
    if (sent)
        Q_EMIT flushed();
}

void RelayLink::consumed(qint64 bytes) {
    m_toGrant += static_cast<quint64>(bytes);
    if (!m_open || m_toGrant < m_window / 4)
        return;
    const auto frame =
        protocol::encodeStreamFrame(protocol::StreamKind::Window, protocol::kRelayChannel,
                                    protocol::encodeWindowIncrement(static_cast<std::uint32_t>(m_toGrant)));
    m_socket.sendBinaryMessage(QByteArray(frame.data(), static_cast<qsizetype>(frame.size())));
    m_toGrant = 0;
}

void RelayLink::onBinary(const QByteArray& message) {
    const auto decoded = protocol::decodeStreamFrame(
        std::string_view(message.constData(), static_cast<std::size_t>(message.size())));
    if (!decoded)
        return;
    const auto& frame = *decoded.frame;
    const QByteArray payload(frame.payload.data(), static_cast<qsizetype>(frame.payload.size()));
    if (frame.kind == protocol::StreamKind::Window) {
        if (const auto increment = protocol::decodeWindowIncrement(frame.payload)) {
            m_credit += *increment;
            flushPending();
        }
        return;
    }
    const qint64 cost = payload.size() + static_cast<qint64>(protocol::kFrameCost);
    if (frame.kind == protocol::StreamKind::SessionControl) {
        consumed(cost);
        if (payload.size() > static_cast<qsizetype>(protocol::kMaxSessionControlBytes))
            return;
        const auto control = QJsonDocument::fromJson(payload);
        if (control.isObject() && control.object().value(QStringLiteral("type")).isString())
            Q_EMIT controlReceived(control.object());
        return;
    }
    Q_EMIT dataReceived(static_cast<int>(frame.kind), payload);
    // The frame's overhead is used the moment it arrives; its payload when the receiver says so.
    consumed(static_cast<qint64>(protocol::kFrameCost));
}

} // namespace breeze::console
