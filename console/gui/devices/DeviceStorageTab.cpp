#include "devices/DeviceStorageTab.h"

#include "FilesystemUsage.h"
#include "devices/DeviceTablePage.h"
#include "widgets/UsageBarDelegate.h"

#include <QTableView>
#include <QVBoxLayout>

namespace breeze::console {

DeviceStorageTab::DeviceStorageTab(QWidget* parent)
    : QWidget(parent), m_disks(new DeviceTablePage({{"name", tr("Disk")},
                                                    {"model", tr("Model")},
                                                    {"size_bytes", tr("Size")},
                                                    {"rotational", tr("Rotational")},
                                                    {"serial", tr("Serial")}},
                                                   false, nullptr, this)),
      m_filesystems(new DeviceTablePage({{"mount", tr("Mount point")},
                                         {"used_percent", tr("Used")},
                                         {"used_bytes", tr("Used space")},
                                         {"total_bytes", tr("Size")},
                                         {"device", tr("Device")},
                                         {"fs_type", tr("Type")}},
                                        false, nullptr, this)) {
    m_filesystems->table()->setItemDelegateForColumn(1, new UsageBarDelegate(m_filesystems->table()));
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_disks);
    layout->addWidget(m_filesystems, 2);
}

void DeviceStorageTab::setInventory(const QJsonArray& disks, const QJsonArray& filesystems) {
    m_disks->setRows(disks);
    m_inventoryFilesystems = filesystems;
    m_filesystems->setRows(filesystemsWithUsage(m_inventoryFilesystems, m_usage));
}

void DeviceStorageTab::setUsage(const QJsonArray& usage) {
    m_usage = usage;
    m_filesystems->setRows(filesystemsWithUsage(m_inventoryFilesystems, m_usage));
}

} // namespace breeze::console
