#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace breeze::console {

// A device as the console shows it. Every string here came from an agent or an admin: views show them as
// plain text only.
struct Device {
    QString id;
    QString orgId;
    QString siteId;
    QString groupId; // empty: in no device group
    QStringList tags;
    QString hostname;
    QString identity;
    QString status; // online, offline
    QString approval;
    QString os;
    QString platform;
    QString agentVersion;
    QString lastAddress;
    QDateTime lastSeen;
    QString lastUser;
    double cpuPercent = -1; // -1: no heartbeat yet
    double memoryPercent = -1;
    bool revoked = false;
    // Another machine enrolled under this device's identity and waits for an administrator: what it reported
    // that differs from the device ("hostname a -> b; address 192.0.2.7"); empty when nobody asks.
    QString takeoverRequest;

    static Device fromJson(const QJsonObject& json);
    // The headline figures of a heartbeat summary from the live channel.
    void applySummary(const QJsonObject& summary);
};

} // namespace breeze::console
