#pragma once

#include "ApiClient.h"

#include <QJsonObject>
#include <QObject>
#include <QTimer>
#include <QWebSocket>
#include <random>

namespace breeze::console {

// The console's WebSocket to the server (wss://host:gateway_port/api/v1/console/ws): device events as they
// happen, heartbeats of watched devices, and a fresh token whenever the sign-in renews. It reconnects on its
// own with jittered back-off, and says when the models must reload (after a reconnect, or when the server
// says "resync").
class LiveChannel : public QObject {
    Q_OBJECT

public:
    enum class State { Disconnected, Connecting, Connected };
    Q_ENUM(State)

    explicit LiveChannel(ApiClient& api, QObject* parent = nullptr);
    ~LiveChannel() override;

    void start(); // after sign-in
    void stop();
    State state() const { return m_state; }
    void watch(const QStringList& deviceIds);
    void renew(const QString& accessToken);

Q_SIGNALS:
    void stateChanged(breeze::console::LiveChannel::State state);
    // Seconds until the next attempt, for the status bar's countdown.
    void reconnectScheduled(int seconds);
    void deviceEvent(const QJsonObject& event);
    // An organisation, site, device group, enrollment key or API key was added, changed or removed
    // (`what`: organizations, sites, device_groups, enrollment_keys, api_keys).
    void tenancyChanged(const QString& what);
    void metricSample(const QJsonObject& sample);
    // Headline figures (CPU, memory, user) of every visible device that just sent a heartbeat.
    void deviceSummaries(const QJsonArray& summaries);
    // Events may have been missed: reload what is shown.
    void resyncNeeded();

private:
    void connectNow();
    void setState(State state);
    void scheduleReconnect();
    void onMessage(const QString& text);
    void send(const QString& type, const QJsonObject& fields);

    ApiClient& m_api;
    QWebSocket m_socket;
    QTimer m_reconnect;
    State m_state = State::Disconnected;
    bool m_running = false;
    bool m_everConnected = false;
    int m_attempt = 0;
    int m_gatewayPort = 0;
    QString m_consolePath;
    QStringList m_watched;
    std::mt19937 m_random{std::random_device{}()};
};

} // namespace breeze::console
