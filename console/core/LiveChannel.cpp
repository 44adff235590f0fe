#include "LiveChannel.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkRequest>

namespace breeze::console {

LiveChannel::LiveChannel(ApiClient& api, QObject* parent) : QObject(parent), m_api(api) {
    m_reconnect.setSingleShot(true);
    connect(&m_reconnect, &QTimer::timeout, this, &LiveChannel::connectNow);
    connect(&m_socket, &QWebSocket::connected, this, [this] {
        m_attempt = 0;
        setState(State::Connected);
        if (!m_watched.isEmpty())
            watch(m_watched);
        // Whatever happened while we were away is unknown: the models reload once (not on the first connect,
        // where they have just loaded).
        if (m_everConnected)
            Q_EMIT resyncNeeded();
        m_everConnected = true;
    });
    connect(&m_socket, &QWebSocket::disconnected, this, [this] {
        setState(State::Disconnected);
        if (m_running)
            scheduleReconnect();
    });
    connect(&m_socket, &QWebSocket::textMessageReceived, this, &LiveChannel::onMessage);
}

LiveChannel::~LiveChannel() {
    m_running = false;
    m_socket.abort();
}

void LiveChannel::start() {
    m_running = true;
    connectNow();
}

void LiveChannel::stop() {
    m_running = false;
    m_reconnect.stop();
    m_socket.close();
}

void LiveChannel::setState(State state) {
    if (state == m_state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void LiveChannel::scheduleReconnect() {
    // Full jitter, capped at 30 s: a restarted server is not stampeded by every console at once.
    const int ceiling = std::min(30'000, 1000 << std::min(m_attempt, 5));
    ++m_attempt;
    const int delay = static_cast<int>(m_random() % static_cast<unsigned>(ceiling + 1));
    m_reconnect.start(delay);
    Q_EMIT reconnectScheduled((delay + 999) / 1000);
}

void LiveChannel::connectNow() {
    if (!m_running || m_api.accessToken().isEmpty())
        return;
    setState(State::Connecting);
    const auto open = [this] {
        QUrl url = m_api.server();
        url.setScheme("wss");
        url.setPort(m_gatewayPort);
        url.setPath(m_consolePath);
        QNetworkRequest request(url);
        request.setRawHeader("Authorization", "Bearer " + m_api.accessToken().toUtf8());
        m_socket.setSslConfiguration(m_api.sslConfiguration());
        m_socket.open(request);
    };
    if (m_gatewayPort > 0) {
        open();
        return;
    }
    m_api.get("/api/v1/server-info", [this, open](const ApiReply& reply) {
        if (!reply.ok()) {
            setState(State::Disconnected);
            scheduleReconnect();
            return;
        }
        m_gatewayPort = reply.object().value("gateway_port").toInt();
        m_consolePath = reply.object().value("console_path").toString("/api/v1/console/ws");
        open();
    });
}

void LiveChannel::send(const QString& type, const QJsonObject& fields) {
    if (m_state != State::Connected)
        return;
    QJsonObject message = fields;
    message["v"] = 1;
    message["type"] = type;
    m_socket.sendTextMessage(QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact)));
}

void LiveChannel::watch(const QStringList& deviceIds) {
    m_watched = deviceIds;
    send("watch", {{"device_ids", QJsonArray::fromStringList(deviceIds)}});
}

void LiveChannel::renew(const QString& accessToken) {
    send("auth", {{"token", accessToken}});
}

void LiveChannel::onMessage(const QString& text) {
    const QJsonObject message = QJsonDocument::fromJson(text.toUtf8()).object();
    const QString type = message.value("type").toString();
    if (type == "event") {
        if (message.value("kind").toString() == "resync")
            Q_EMIT resyncNeeded();
        else
            Q_EMIT deviceEvent(message);
    } else if (type == "tenancy") {
        Q_EMIT tenancyChanged(message.value("what").toString());
    } else if (type == "metric") {
        Q_EMIT metricSample(message);
    } else if (type == "summaries") {
        Q_EMIT deviceSummaries(message.value("devices").toArray());
    }
}

} // namespace breeze::console
