#include "TerminalSession.h"

#include "protocol/StreamFrame.h"

namespace breeze::console {

TerminalSession::TerminalSession(ApiClient& api, QString deviceId, const TerminalOptions& options,
                                 QObject* parent)
    : QObject(parent), m_client(api), m_deviceId(std::move(deviceId)), m_options(options),
      m_screen(options.cols, options.rows), m_link(api.sslConfiguration(), true) {
    connect(&m_backoff, &ReattachBackoff::due, this, [this] {
        m_client.attach(m_sessionId, [this](const SessionAnswer& answer) { attachWith(answer); });
    });
    connect(&m_link, &RelayLink::dataReceived, this, [this](int kind, const QByteArray& data) {
        if (kind != static_cast<int>(protocol::StreamKind::TerminalData))
            return;
        m_screen.feed(data);
        m_link.consumed(data.size());
    });
    connect(&m_link, &RelayLink::controlReceived, this, &TerminalSession::onControl);
    connect(&m_link, &RelayLink::closed, this, &TerminalSession::onClosed);
    // The terminal's answers to a program's queries go back to it.
    connect(&m_screen, &TerminalScreen::reply, this, &TerminalSession::sendBytes);
}

void TerminalSession::start() {
    setState(State::Opening, tr("Opening a terminal…"));
    // The answer is taken even if the view has gone meanwhile (the session object lives until it comes), so a
    // terminal closed while it was still opening does not leave a session waiting on the server.
    m_client.openTerminal(m_deviceId, m_options, [this](const SessionAnswer& answer) {
        if (answer.grant)
            m_sessionId = answer.grant->id;
        if (m_closeWhenOpened) {
            close();
            setState(State::Ended, tr("Closed before it opened."));
            return;
        }
        attachWith(answer);
    });
}

void TerminalSession::resume(const QString& sessionId) {
    m_sessionId = sessionId;
    setState(State::Reconnecting, tr("Attaching to the session again…"));
    m_client.attach(m_sessionId, [this](const SessionAnswer& answer) { attachWith(answer); });
}

void TerminalSession::setState(State state, const QString& status) {
    m_status = status;
    if (state == State::Live)
        m_backoff.live();
    m_state = state;
    Q_EMIT stateChanged(state);
}

void TerminalSession::attachWith(const SessionAnswer& answer) {
    if (m_state == State::Ended)
        return;
    if (!answer.grant) {
        if (answer.mayRetry && !m_sessionId.isEmpty()) {
            scheduleAttach();
            return;
        }
        setState(State::Ended, answer.error);
        return;
    }
    m_link.open(*answer.grant);
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

void TerminalSession::onClosed(const QString& reason) {
    if (m_state == State::Ended)
        return;
    setState(State::Reconnecting, reason);
    scheduleAttach();
}

void TerminalSession::scheduleAttach() {
    if (!m_backoff.schedule()) {
        setState(State::Ended, tr("The connection did not come back in time."));
        return;
    }
    if (m_state != State::Reconnecting)
        setState(State::Reconnecting, m_status);
}

void TerminalSession::sendKey(int qtKey, Qt::KeyboardModifiers modifiers, const QString& text) {
    sendBytes(m_screen.key(qtKey, modifiers, text));
}

void TerminalSession::sendBytes(const QByteArray& bytes) {
    if (bytes.isEmpty() || m_state != State::Live)
        return;
    m_link.send(static_cast<int>(protocol::StreamKind::TerminalData), bytes);
}

void TerminalSession::paste(const QString& text) {
    sendBytes(m_screen.paste(text));
}

void TerminalSession::resize(int cols, int rows) {
    m_screen.resize(cols, rows);
    if (m_state == State::Live)
        m_link.sendControl({{QStringLiteral("type"), QStringLiteral("resize")},
                            {QStringLiteral("cols"), m_screen.cols()},
                            {QStringLiteral("rows"), m_screen.rows()}});
}

void TerminalSession::reconnect() {
    if (m_state == State::Ended || m_sessionId.isEmpty())
        return;
    m_link.abort();
}

void TerminalSession::close() {
    if (m_state == State::Ended)
        return;
    if (m_sessionId.isEmpty()) {
        m_closeWhenOpened = true;
        return;
    }
    m_client.close(m_sessionId, [](const QString&) {});
}

} // namespace breeze::console
