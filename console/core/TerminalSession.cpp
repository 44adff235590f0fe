#include "TerminalSession.h"

#include "protocol/SessionMessages.h"
#include "protocol/StreamFrame.h"

#include <algorithm>

namespace breeze::console {

TerminalSession::TerminalSession(ApiClient& api, QString deviceId, const TerminalOptions& options,
                                 QObject* parent)
    : RelaySession(api, std::move(deviceId), protocol::initialWindow(protocol::SessionKind::Terminal),
                   parent),
      m_options(options), m_screen(options.cols, options.rows), m_wantedCols(options.cols),
      m_wantedRows(options.rows) {
    connect(&link(), &RelayLink::dataReceived, this, &TerminalSession::onData);
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

void TerminalSession::onData(int kind, const QByteArray& data) {
    if (kind != static_cast<int>(protocol::StreamKind::TerminalData))
        return;
    link().consumed(data.size());
    if (m_snapshotLeft == 0) {
        m_screen.feed(data);
        return;
    }
    const auto part = static_cast<qsizetype>(std::min<quint64>(m_snapshotLeft, data.size()));
    m_screen.feed(data.first(part));
    m_snapshotLeft -= static_cast<quint64>(part);
    if (m_snapshotLeft == 0)
        applyWantedSize();
    if (part < data.size())
        m_screen.feed(data.sliced(part));
}

void TerminalSession::onControl(const QJsonObject& control) {
    const QString type = control.value(QStringLiteral("type")).toString();
    if (type == QStringLiteral("ready")) {
        m_snapshotLeft = 0;
        // A resumed session sends the device's copy of the screen next, drawn at the device's size: a clean
        // terminal of that size takes it, and the window's size follows once it is drawn.
        if (control.value(QStringLiteral("resumed")).toBool()) {
            m_screen.reset();
            const auto snapshot = control.value(QStringLiteral("snapshot")).toDouble();
            if (snapshot > 0) {
                m_screen.resize(control.value(QStringLiteral("cols")).toInt(m_screen.cols()),
                                control.value(QStringLiteral("rows")).toInt(m_screen.rows()));
                m_snapshotLeft = static_cast<quint64>(snapshot);
            }
        }
        setState(State::Live);
        if (m_snapshotLeft == 0)
            applyWantedSize(); // the window may have changed while away
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
    m_wantedCols = cols;
    m_wantedRows = rows;
    if (m_snapshotLeft == 0)
        applyWantedSize();
}

void TerminalSession::applyWantedSize() {
    m_screen.resize(m_wantedCols, m_wantedRows);
    if (state() == State::Live)
        link().sendControl({{QStringLiteral("type"), QStringLiteral("resize")},
                            {QStringLiteral("cols"), m_screen.cols()},
                            {QStringLiteral("rows"), m_screen.rows()}});
}

} // namespace breeze::console
