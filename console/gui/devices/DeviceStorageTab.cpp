#include "devices/DeviceStorageTab.h"

#include "FilesystemUsage.h"
#include "TableColumns.h"
#include "devices/DeviceTablePage.h"
#include "widgets/UsageBarDelegate.h"

#include <QTableView>
#include <QVBoxLayout>

namespace breeze::console {

DeviceStorageTab::DeviceStorageTab(QWidget* parent)
    : QWidget(parent), m_disks(new DeviceTablePage(TableColumns::disks(), false, nullptr, this)),
      m_filesystems(new DeviceTablePage(TableColumns::filesystems(), false, nullptr, this)) {
    m_filesystems->table()->setItemDelegateForColumn(TableColumns::kFilesystemUsedColumn,
                                                     new UsageBarDelegate(m_filesystems->table()));
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
