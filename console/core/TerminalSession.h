#pragma once

#include "RelaySession.h"
#include "TerminalScreen.h"

#include <QObject>
#include <optional>

namespace breeze::console {

// A remote terminal as the console keeps it: asks the server for the session, attaches to the relay, feeds
// what the shell prints into a TerminalScreen and sends keys, pastes and window sizes back. When the
// connection drops it attaches again by itself (jittered back-off, for as long as the server keeps the
// session), and a resumed session starts from the device's own copy of the screen, so nothing is lost or
// reset.
class TerminalSession : public RelaySession {
    Q_OBJECT

public:
    TerminalSession(ApiClient& api, QString deviceId, const TerminalOptions& options,
                    QObject* parent = nullptr);

    void start();
    // Takes up a session this console had open before (it was restarted): the device's copy of the screen
    // first.
    void resume(const QString& sessionId);
    std::optional<int> exitCode() const { return m_exitCode; }
    TerminalScreen& screen() { return m_screen; }
    // Whether the device echoes typing now (off at a password prompt).
    bool echo() const { return m_echo; }

    void sendKey(int qtKey, Qt::KeyboardModifiers modifiers, const QString& text);
    void sendBytes(const QByteArray& bytes);
    void paste(const QString& text);
    void resize(int cols, int rows);

private:
    void onData(int kind, const QByteArray& data);
    void onControl(const QJsonObject& control);
    void applyWantedSize();

    TerminalOptions m_options;
    TerminalScreen m_screen;
    // The size the window asks for; held back while a resumed session's copy of the screen is still arriving.
    int m_wantedCols;
    int m_wantedRows;
    quint64 m_snapshotLeft = 0;
    std::optional<int> m_exitCode;
    bool m_echo = true;
};

} // namespace breeze::console
