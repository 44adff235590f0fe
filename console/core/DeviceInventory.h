#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <optional>

namespace breeze::console {

// What a device's agent last reported about its hardware and software, section by section. Lists stay rows
// for the tables (JsonTableModel); every string is the agent's, shown as plain text.
struct DeviceInventory {
    struct Hardware {
        QString cpuModel;
        int cpuCores = 0;
        int cpuThreads = 0;
        std::optional<qint64> memoryBytes;
        QString vendor;
        QString model;
        QString serial;
        QString bios; // vendor, version and date
    };

    QString kernel; // empty until the os section arrives
    Hardware hardware;
    QJsonArray disks;
    QJsonArray filesystems;
    QJsonArray interfaces;
    QJsonArray software;
    QJsonArray services;
    // False when the device reported services but no live state for any (systemd is not running there).
    bool serviceStatesKnown = true;
    QJsonArray users;

    // From the inventory answer's "sections" (section name -> {"data", "collected_at"}).
    static DeviceInventory fromSections(const QJsonObject& sections);
};

} // namespace breeze::console
