#include "RelaySession.h"

namespace breeze::console {

RelaySession::RelaySession(ApiClient& api, QString deviceId, quint64 window, QObject* parent)
    : QObject(parent), m_client(api), m_deviceId(std::move(deviceId)),
      m_link(api.sslConfiguration(), window) {
    connect(&m_backoff, &ReattachBackoff::due, this, [this] {
        m_client.attach(m_sessionId, [this](const SessionAnswer& answer) { attachWith(answer); });
    });
}

void RelaySession::begin(const QString& opening,
                         const std::function<void(SessionClient&, SessionClient::Done)>& open) {
    setState(State::Opening, opening);
    open(m_client, [this](const SessionAnswer& answer) {
        if (answer.grant) {
            m_sessionId = answer.grant->id;
            m_recorded = answer.grant->recorded;
        }
        if (m_closeWhenOpened) {
            close();
            setState(State::Ended, tr("Closed before it opened."));
            return;
        }
        attachWith(answer);
    });
}

void RelaySession::takeUp(const QString& sessionId, const QString& status) {
    m_sessionId = sessionId;
    setState(State::Reconnecting, status);
    m_client.attach(m_sessionId, [this](const SessionAnswer& answer) { attachWith(answer); });
}

void RelaySession::setState(State state, const QString& status) {
    m_status = status;
    if (state == State::Live)
        m_backoff.live();
    m_state = state;
    Q_EMIT stateChanged(state);
}

void RelaySession::attachWith(const SessionAnswer& answer) {
    if (m_state == State::Ended)
        return;
    if (!answer.grant) {
        if (answer.mayRetry && !m_sessionId.isEmpty()) {
            lost(answer.error);
            return;
        }
        setState(State::Ended, answer.error);
        return;
    }
    m_link.open(*answer.grant);
}

void RelaySession::lost(const QString& reason) {
    if (m_state == State::Ended)
        return;
    if (!m_backoff.schedule()) {
        setState(State::Ended, tr("The connection did not come back in time."));
        return;
    }
    setState(State::Reconnecting, reason);
}

void RelaySession::reconnect() {
    if (m_state == State::Ended || m_sessionId.isEmpty())
        return;
    m_link.abort();
}

void RelaySession::close() {
    if (m_state == State::Ended)
        return;
    if (m_sessionId.isEmpty()) {
        m_closeWhenOpened = true;
        return;
    }
    // The back-off goes on: the next attach is refused for a closed session, which ends it here too.
    m_client.close(m_sessionId, [](const QString&) {});
}

} // namespace breeze::console
