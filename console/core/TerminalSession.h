#pragma once

#include "ReattachBackoff.h"
#include "RelayLink.h"
#include "SessionClient.h"
#include "TerminalScreen.h"

#include <QObject>
#include <optional>

namespace breeze::console {

// A remote terminal as the console keeps it: asks the server for the session, attaches to the relay, feeds
// what the shell prints into a TerminalScreen and sends keys, pastes and window sizes back. When the
// connection drops it attaches again by itself (jittered back-off, for as long as the server keeps the
// session), and a resumed session starts from the device's own copy of the screen, so nothing is lost or
// reset.
class TerminalSession : public QObject {
    Q_OBJECT

public:
    enum class State { Opening, Live, Reconnecting, Ended };
    Q_ENUM(State)

    TerminalSession(ApiClient& api, QString deviceId, const TerminalOptions& options,
                    QObject* parent = nullptr);

    void start();
    // Takes up a session this console had open before (it was restarted): the device's copy of the screen
    // first.
    void resume(const QString& sessionId);
    const QString& deviceId() const { return m_deviceId; }
    const QString& sessionId() const { return m_sessionId; }
    State state() const { return m_state; }
    // Why it ended or why it is reconnecting, in words.
    const QString& status() const { return m_status; }
    std::optional<int> exitCode() const { return m_exitCode; }
    TerminalScreen& screen() { return m_screen; }
    // Whether the device echoes typing now (off at a password prompt).
    bool echo() const { return m_echo; }

    void sendKey(int qtKey, Qt::KeyboardModifiers modifiers, const QString& text);
    void sendBytes(const QByteArray& bytes);
    void paste(const QString& text);
    void resize(int cols, int rows);
    // Drops the connection and attaches again (the session stays on the device).
    void reconnect();
    // Ends the session on the device.
    void close();

Q_SIGNALS:
    void stateChanged(breeze::console::TerminalSession::State state);

private:
    void attachWith(const SessionAnswer& answer);
    void onControl(const QJsonObject& control);
    void onClosed(const QString& reason);
    void scheduleAttach();
    void setState(State state, const QString& status = {});

    SessionClient m_client;
    QString m_deviceId;
    TerminalOptions m_options;
    QString m_sessionId;
    TerminalScreen m_screen;
    RelayLink m_link;
    State m_state = State::Opening;
    QString m_status;
    std::optional<int> m_exitCode;
    bool m_echo = true;
    bool m_closeWhenOpened = false; // closed before the server named the session: end it once it does
    ReattachBackoff m_backoff;
};

} // namespace breeze::console
