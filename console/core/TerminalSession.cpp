#include "TerminalSession.h"

#include "protocol/SessionMessages.h"
#include "protocol/StreamFrame.h"

namespace breeze::console {

TerminalSession::TerminalSession(ApiClient& api, QString deviceId, const TerminalOptions& options,
                                 QObject* parent)
    : RelaySession(api, std::move(deviceId), protocol::initialWindow(protocol::SessionKind::Terminal),
                   parent),
      m_options(options), m_screen(options.cols, options.rows) {
    connect(&link(), &RelayLink::dataReceived, this, [this](int kind, const QByteArray& data) {
        if (kind != static_cast<int>(protocol::StreamKind::TerminalData))
            return;
        m_screen.feed(data);
        link().consumed(data.size());
    });
    connect(&link(), &RelayLink::controlReceived, this, &TerminalSession::onControl);
    connect(&link(), &RelayLink::closed, this, &TerminalSession::lost);
    // The terminal's answers to a program's queries go back to it.
    connect(&m_screen, &TerminalScreen::reply, this, &TerminalSession::sendBytes);
}

void TerminalSession::start() {
    begin(tr("Opening a terminal…"), [this](SessionClient& client, SessionClient::Done done) {
        client.openTerminal(deviceId(), m_options, std::move(done));
    });
}

void TerminalSession::resume(const QString& sessionId) {
    takeUp(sessionId, tr("Attaching to the session again…"));
}

void TerminalSession::onControl(const QJsonObject& control) {
    const QString type = control.value(QStringLiteral("type")).toString();
    if (type == QStringLiteral("ready")) {
        // A resumed session sends the device's copy of the screen next: start from a clean terminal.
        if (control.value(QStringLiteral("resumed")).toBool())
            m_screen.reset();
        setState(State::Live);
        resize(m_screen.cols(), m_screen.rows()); // the window may have changed while away
    } else if (type == QStringLiteral("echo")) {
        m_echo = control.value(QStringLiteral("on")).toBool(true);
    } else if (type == QStringLiteral("closed")) {
        if (control.value(QStringLiteral("exit_code")).isDouble())
            m_exitCode = control.value(QStringLiteral("exit_code")).toInt();
        setState(State::Ended, control.value(QStringLiteral("reason")).toString());
    }
}

void TerminalSession::sendKey(int qtKey, Qt::KeyboardModifiers modifiers, const QString& text) {
    sendBytes(m_screen.key(qtKey, modifiers, text));
}

void TerminalSession::sendBytes(const QByteArray& bytes) {
    if (bytes.isEmpty() || state() != State::Live)
        return;
    link().send(static_cast<int>(protocol::StreamKind::TerminalData), bytes);
}

void TerminalSession::paste(const QString& text) {
    sendBytes(m_screen.paste(text));
}

void TerminalSession::resize(int cols, int rows) {
    m_screen.resize(cols, rows);
    if (state() == State::Live)
        link().sendControl({{QStringLiteral("type"), QStringLiteral("resize")},
                            {QStringLiteral("cols"), m_screen.cols()},
                            {QStringLiteral("rows"), m_screen.rows()}});
}

} // namespace breeze::console
