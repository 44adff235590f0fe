#pragma once

#include <QJsonArray>
#include <QWidget>

namespace breeze::console {

class DeviceTablePage;

// Disks and filesystems: the inventory's, each filesystem with how full the latest heartbeat says it is.
class DeviceStorageTab : public QWidget {
    Q_OBJECT

public:
    explicit DeviceStorageTab(QWidget* parent = nullptr);

    void setInventory(const QJsonArray& disks, const QJsonArray& filesystems);
    void setUsage(const QJsonArray& usage);

private:
    DeviceTablePage* m_disks;
    DeviceTablePage* m_filesystems;
    QJsonArray m_inventoryFilesystems;
    QJsonArray m_usage;
};

} // namespace breeze::console
