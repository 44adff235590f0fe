#pragma once

#include "ReattachBackoff.h"
#include "RelayLink.h"
#include "SessionClient.h"

#include <QObject>
#include <functional>

namespace breeze::console {

// What every live session the console keeps has in common (a terminal, a file session): asking the server for
// it, attaching to its relay, attaching again by itself after a drop (jittered back-off, for as long as the
// server keeps the session), and ending it. A session closed before the server named it is ended as soon as
// it does. The kind decides what "ready" and the rest of the session's messages mean.
class RelaySession : public QObject {
    Q_OBJECT

public:
    enum class State { Opening, Live, Reconnecting, Ended };
    Q_ENUM(State)

    const QString& deviceId() const { return m_deviceId; }
    const QString& sessionId() const { return m_sessionId; }
    State state() const { return m_state; }
    // Why it ended or why it is reconnecting, in words.
    const QString& status() const { return m_status; }
    // The server records it (a desktop's pictures).
    bool recorded() const { return m_recorded; }
    // Drops the connection and attaches again (the session stays on the device).
    void reconnect();
    // Ends the session on the device.
    void close();

Q_SIGNALS:
    void stateChanged(breeze::console::RelaySession::State state);

protected:
    // `window`: the kind's credit window (protocol::initialWindow).
    RelaySession(ApiClient& api, QString deviceId, quint64 window, QObject* parent);

    // Asks for a new session with `open` (the kind's request); the answer attaches. The answer is taken even
    // if the owner has gone meanwhile, so a session closed while opening does not stay on the server.
    void begin(const QString& opening, const std::function<void(SessionClient&, SessionClient::Done)>& open);
    // Takes up a session this console had open before.
    void takeUp(const QString& sessionId, const QString& status);
    void setState(State state, const QString& status = {});
    // The connection ended: attach again later, or give up when it is too late.
    void lost(const QString& reason);
    RelayLink& link() { return m_link; }
    SessionClient& client() { return m_client; }

private:
    void attachWith(const SessionAnswer& answer);

    SessionClient m_client;
    QString m_deviceId;
    QString m_sessionId;
    RelayLink m_link;
    ReattachBackoff m_backoff;
    State m_state = State::Opening;
    QString m_status;
    bool m_recorded = false;
    bool m_closeWhenOpened = false; // closed before the server named the session: end it once it does
};

} // namespace breeze::console
