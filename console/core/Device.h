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
    QDateTime bootedAt;    // invalid: no heartbeat yet
    QStringList addresses; // every interface's address, loopback left out
    // The filesystem with the least room, as df measures it; usedPercent -1: not reported yet.
    struct Disk {
        QString mount;
        double usedPercent = -1;
        qint64 availableBytes = 0;
        qint64 totalBytes = 0;
    } fullestDisk;
    bool patchesScanned = false;
    int patchesMissing = 0;
    int patchesFailed = 0;
    bool rebootRequired = false;
    bool revoked = false;
    // Another machine enrolled under this device's identity and waits for an administrator: what it reported
    // that differs from the device ("hostname a -> b; address 192.0.2.7"); empty when nobody asks.
    QString takeoverRequest;

    static Device fromJson(const QJsonObject& json);
    bool online() const { return status == "online"; }
    // How long it has been running: only while online (an offline device's uptime is unknown); -1 otherwise.
    qint64 uptimeSeconds(const QDateTime& now) const;
    // The headline figures of a heartbeat summary from the live channel.
    void applySummary(const QJsonObject& summary);
};

} // namespace breeze::console
