#pragma once

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>

namespace breeze::console {

// One device's record as its window shows it (every string as the agent or an admin gave it: plain text).
struct DeviceSummary {
    QString id;
    QString hostname;
    QString identity;
    QString status;
    QString os;
    QString platform;
    QString arch;
    QString lastAddress;
    QString agentVersion;
    QDateTime lastSeen;
    QDateTime enrolledAt;
    QJsonArray filesystemUsage; // the latest heartbeat's, as filesystemsWithUsage takes it

    static DeviceSummary fromJson(const QJsonObject& json);
    QString title() const { return hostname.isEmpty() ? identity : hostname; }
};

} // namespace breeze::console
