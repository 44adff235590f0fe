#pragma once

#include "ApiClient.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QTimer>

namespace breeze::console {

class LiveChannel;

// Sends commands to devices and reports each one's outcome: queued, then the final state with its output.
// Progress comes from the live channel's command events; a slow poll covers the time the channel is down.
class CommandRunner : public QObject {
    Q_OBJECT

public:
    CommandRunner(ApiClient& api, LiveChannel& live, QObject* parent = nullptr);

    // `tag` comes back with every signal, so a view can tell its own commands apart.
    void send(const QString& deviceId, const QString& type, const QJsonObject& args, const QString& tag = {});

Q_SIGNALS:
    void queued(const QString& tag, const QJsonObject& command);
    void finished(const QString& tag,
                  const QJsonObject& command); // completed, failed, timed_out or cancelled
    void refused(const QString& tag,
                 const QString& message); // not even queued (permission, offline rules, …)

private:
    void check(const QString& commandId);

    ApiClient& m_api;
    QHash<QString, QString> m_open; // command id -> tag
    QTimer m_poll;
};

} // namespace breeze::console
