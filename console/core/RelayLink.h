#pragma once

#include "SessionClient.h"

#include <QByteArray>
#include <QJsonObject>
#include <QObject>
#include <QSslConfiguration>
#include <QWebSocket>
#include <deque>

namespace breeze::console {

// The console's end of one live session: a WebSocket to the relay the session API named, and the credit rules
// of the session protocol (common/protocol/SessionMessages.h). What goes out waits here until the agent has
// credit for it; what arrives is handed over and credited back once the receiver says it has used it
// (consumed()), so a console that cannot keep up slows the device instead of piling up data.
class RelayLink : public QObject {
    Q_OBJECT

public:
    // `window`: the session kind's credit window (protocol::initialWindow).
    RelayLink(const QSslConfiguration& ssl, quint64 window, QObject* parent = nullptr);
    ~RelayLink() override;

    void open(const SessionGrant& grant);
    // Drops the connection at once, as a network failure would (the session stays on the device).
    void abort();
    void close();
    bool isOpen() const { return m_open; }

    // Data (a stream kind of protocol/StreamFrame.h) or a control message; sent as credit allows.
    void send(int kind, const QByteArray& payload);
    void sendControl(const QJsonObject& control);
    // The receiver has used this much of what arrived: the agent may send as much again.
    void consumed(qint64 bytes);
    qint64 pendingBytes() const { return m_pendingBytes; }

Q_SIGNALS:
    void opened();
    void dataReceived(int kind, const QByteArray& payload);
    void controlReceived(const QJsonObject& control);
    // Queued data went out (the agent granted credit): a sender holding back more may go on.
    void flushed();
    // The connection ended, or an attempt failed. Whether the session is over is said by the session
    // itself (its "closed" control message comes first), never by how the connection ended.
    void closed(const QString& reason);

private:
    void onBinary(const QByteArray& message);
    void flushPending();

    QWebSocket m_socket;
    quint64 m_window;
    bool m_open = false;
    bool m_reported = true; // closed() was emitted for the current attempt
    quint64 m_credit = 0;   // what the agent still takes
    quint64 m_toGrant = 0;  // used, not yet credited back
    std::deque<QByteArray> m_pending;
    qint64 m_pendingBytes = 0;
};

} // namespace breeze::console
