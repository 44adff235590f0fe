#include "DeviceTableModel.h"

#include "PlainTextMarkup.h"
#include "TimeText.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QLocale>
#include <limits>

namespace breeze::console {

int DeviceTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_devices.size());
}

int DeviceTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DeviceTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || (role != Qt::DisplayRole && role != Qt::ToolTipRole))
        return {};
    if (role == Qt::ToolTipRole) {
        if (section == Address)
            return tr("The address the agent connects to the server from");
        if (section == FreeDisk)
            return tr("Room left on the device's fullest filesystem, as df shows it");
        if (section == Patches)
            return tr("Updates the device's last scan found missing, and those that failed to install");
        return {};
    }
    static const char* const names[ColumnCount] = {QT_TR_NOOP("Host name"),
                                                   QT_TR_NOOP("Status"),
                                                   QT_TR_NOOP("Organisation"),
                                                   QT_TR_NOOP("Site"),
                                                   QT_TR_NOOP("Operating system"),
                                                   QT_TR_NOOP("IP addresses"),
                                                   QT_TR_NOOP("Connected from"),
                                                   QT_TR_NOOP("Last user"),
                                                   QT_TR_NOOP("Last seen"),
                                                   QT_TR_NOOP("Uptime"),
                                                   QT_TR_NOOP("Free disk"),
                                                   QT_TR_NOOP("Patches"),
                                                   QT_TR_NOOP("Reboot"),
                                                   QT_TR_NOOP("CPU"),
                                                   QT_TR_NOOP("Memory"),
                                                   QT_TR_NOOP("Agent"),
                                                   QT_TR_NOOP("Tags")};
    return section >= 0 && section < ColumnCount ? tr(names[section]) : QVariant();
}

QVariant DeviceTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= m_devices.size() || index.column() >= ColumnCount)
        return {};
    const Device& device = m_devices[index.row()];
    switch (role) {
    case DeviceIdRole:
        return device.id;
    case StatusRole:
        return device.status;
    case OrgIdRole:
        return device.orgId;
    case SiteIdRole:
        return device.siteId;
    case GroupIdRole:
        return device.groupId;
    case Qt::DisplayRole:
        return display(device, index.column(), false);
    case SortRole:
        return display(device, index.column(), true);
    case Qt::ToolTipRole:
        return tooltip(device, index.column());
    case Qt::TextAlignmentRole:
        return index.column() == Cpu || index.column() == Memory || index.column() == FreeDisk ||
                       index.column() == Uptime
                   ? QVariant(static_cast<int>(Qt::AlignRight | Qt::AlignVCenter))
                   : QVariant();
    default:
        return {};
    }
}

QVariant DeviceTableModel::display(const Device& device, int column, bool forSorting) const {
    switch (column) {
    case Hostname:
        return device.hostname.isEmpty() ? device.identity : device.hostname;
    case Status:
        if (device.revoked)
            return tr("revoked");
        if (device.approval == "pending")
            return tr("awaiting approval");
        if (!device.takeoverRequest.isEmpty())
            return tr("%1, takeover requested").arg(device.status);
        return device.status;
    case Organisation:
        return m_placeNames.value(device.orgId);
    case Site:
        return m_placeNames.value(device.siteId);
    case Os:
        return device.os;
    case Addresses:
        return device.addresses.join(", ");
    case Address:
        return device.lastAddress;
    case AgentVersion:
        return device.agentVersion;
    case LastUser:
        return device.lastUser;
    case Tags:
        return device.tags.join(", ");
    case Cpu:
    case Memory: {
        const double value = column == Cpu ? device.cpuPercent : device.memoryPercent;
        if (forSorting)
            return value;
        return value < 0 ? QString() : QString("%1 %").arg(qRound(value));
    }
    case LastSeen:
        return forSorting ? QVariant(device.lastSeen) : QVariant(TimeText::local(device.lastSeen));
    case Uptime: {
        // Sorting orders by the boot time itself (earlier boot, longer uptime): no clock read per comparison.
        if (forSorting)
            return device.online() && device.bootedAt.isValid() ? -device.bootedAt.toMSecsSinceEpoch()
                                                                : std::numeric_limits<qint64>::min();
        const qint64 seconds = device.uptimeSeconds(QDateTime::currentDateTimeUtc());
        return seconds < 0 ? QString() : TimeText::span(seconds);
    }
    case FreeDisk: {
        const Device::Disk& disk = device.fullestDisk;
        if (forSorting)
            return disk.usedPercent;
        return disk.usedPercent < 0 ? QString()
                                    : tr("%1 (%2 % used)")
                                          .arg(QLocale().formattedDataSize(disk.availableBytes))
                                          .arg(qRound(disk.usedPercent));
    }
    case Patches:
        if (forSorting)
            return device.patchesScanned ? device.patchesFailed * 1000000 + device.patchesMissing : -1;
        if (!device.patchesScanned)
            return tr("not scanned");
        if (device.patchesMissing == 0 && device.patchesFailed == 0)
            return tr("up to date");
        if (device.patchesFailed == 0)
            return tr("%1 missing").arg(device.patchesMissing);
        return device.patchesMissing == 0
                   ? tr("%1 failed").arg(device.patchesFailed)
                   : tr("%1 missing, %2 failed").arg(device.patchesMissing).arg(device.patchesFailed);
    case Reboot:
        if (forSorting)
            return device.rebootRequired;
        return device.rebootRequired ? tr("needed") : QString();
    default:
        return {};
    }
}

// Tooltips that carry what the cell leaves out; an agent's text is escaped, as tooltips are rich text.
QVariant DeviceTableModel::tooltip(const Device& device, int column) const {
    switch (column) {
    case Hostname:
        // Devices with one host name are told apart by their identity and place.
        return plainTextTooltip(tr("%1\nidentity %2\n%3 / %4")
                                    .arg(device.hostname, device.identity, m_placeNames.value(device.orgId),
                                         m_placeNames.value(device.siteId)));
    case Status:
        if (!device.takeoverRequest.isEmpty())
            return plainTextTooltip(tr("Another machine enrolled under this device's identity and waits for "
                                       "approval: %1")
                                        .arg(device.takeoverRequest));
        return {};
    case LastSeen:
        return device.lastSeen.isValid() ? QVariant(TimeText::exactUtc(device.lastSeen)) : QVariant();
    case Uptime:
        return device.online() && device.bootedAt.isValid()
                   ? QVariant(tr("Started %1").arg(TimeText::exactUtc(device.bootedAt)))
                   : QVariant();
    case Addresses:
        return device.addresses.isEmpty() ? QVariant()
                                          : QVariant(plainTextTooltip(device.addresses.join('\n')));
    case FreeDisk: {
        const Device::Disk& disk = device.fullestDisk;
        if (disk.usedPercent < 0)
            return {};
        return plainTextTooltip(tr("%1: %2 % used, %3 free of %4")
                                    .arg(disk.mount, QString::number(disk.usedPercent, 'f', 1),
                                         QLocale().formattedDataSize(disk.availableBytes),
                                         QLocale().formattedDataSize(disk.totalBytes)));
    }
    default:
        return {};
    }
}

DeviceTableModel::Keys DeviceTableModel::keysOf(const Device& device) const {
    const QString name = device.hostname.isEmpty() ? device.identity : device.hostname;
    const QString status = device.revoked                      ? "revoked"
                           : device.approval == "pending"      ? "awaiting approval"
                           : !device.takeoverRequest.isEmpty() ? device.status + " takeover requested"
                                                               : device.status;
    return {(name + '\n' + device.identity + '\n' + device.lastAddress + '\n' + device.addresses.join('\n') +
             '\n' + device.os + '\n' + status + '\n' + device.tags.join('\n') + '\n' +
             m_placeNames.value(device.orgId) + '\n' + m_placeNames.value(device.siteId) + '\n' +
             device.lastUser)
                .toLower(),
            name.toLower()};
}

void DeviceTableModel::setPlaceNames(QHash<QString, QString> names) {
    if (names == m_placeNames)
        return;
    m_placeNames = std::move(names);
    for (int row = 0; row < m_devices.size(); ++row)
        m_keys[row] = keysOf(m_devices[row]);
    if (!m_devices.isEmpty())
        Q_EMIT dataChanged(index(0, Organisation), index(static_cast<int>(m_devices.size()) - 1, Site));
}

void DeviceTableModel::setDevices(QVector<Device> devices) {
    beginResetModel();
    m_devices = std::move(devices);
    m_keys.resize(m_devices.size());
    for (int row = 0; row < m_devices.size(); ++row)
        m_keys[row] = keysOf(m_devices[row]);
    m_rowById.clear();
    m_rowById.reserve(m_devices.size());
    for (int row = 0; row < m_devices.size(); ++row)
        m_rowById.insert(m_devices[row].id, row);
    // Counted before the reset ends: views that redraw on modelReset read the new counts.
    m_online = 0;
    for (const auto& device : m_devices)
        m_online += device.status == "online";
    endResetModel();
    Q_EMIT countsChanged(static_cast<int>(m_devices.size()), m_online);
}

void DeviceTableModel::reindexFrom(int row) {
    for (int i = row; i < m_devices.size(); ++i)
        m_rowById[m_devices[i].id] = i;
}

const Device* DeviceTableModel::device(const QString& id) const {
    const int row = rowOf(id);
    return row < 0 ? nullptr : &m_devices[row];
}

void DeviceTableModel::upsert(const Device& device) {
    const int row = rowOf(device.id);
    if (row >= 0) {
        const bool wasOnline = m_devices[row].status == "online";
        m_devices[row] = device;
        m_keys[row] = keysOf(device);
        m_online += (device.status == "online") - wasOnline;
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    } else {
        const int at = static_cast<int>(m_devices.size());
        beginInsertRows({}, at, at);
        m_devices.push_back(device);
        m_keys.push_back(keysOf(device));
        m_rowById.insert(device.id, at);
        endInsertRows();
        m_online += device.status == "online";
    }
    Q_EMIT countsChanged(static_cast<int>(m_devices.size()), m_online);
}

void DeviceTableModel::remove(const QString& deviceId) {
    const int row = rowOf(deviceId);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_online -= m_devices[row].status == "online";
    m_devices.removeAt(row);
    m_keys.removeAt(row);
    m_rowById.remove(deviceId);
    reindexFrom(row);
    endRemoveRows();
    Q_EMIT countsChanged(static_cast<int>(m_devices.size()), m_online);
}

bool DeviceTableModel::applyEvent(const QJsonObject& event) {
    const QString kind = event.value("kind").toString();
    const QString id = event.value("device_id").toString();
    if (kind == "deleted") {
        remove(id);
        return true;
    }
    const int row = rowOf(id);
    if (row < 0)
        return kind == "inventory_changed" || kind == "command" ||
               kind == "patches_changed"; // nothing to show for an unknown device
    Device& device = m_devices[row];
    const QDateTime at = QDateTime::fromString(event.value("at").toString(), Qt::ISODateWithMs);
    if (kind == "online" || kind == "offline") {
        const bool wasOnline = device.status == "online";
        device.status = kind;
        if (at.isValid())
            device.lastSeen = at;
        if (kind == "online") {
            const QJsonObject detail = event.value("detail").toObject();
            device.lastAddress = detail.value("address").toString(device.lastAddress);
            device.agentVersion = detail.value("agent_version").toString(device.agentVersion);
        }
        m_online += (kind == "online") - wasOnline;
        m_keys[row] = keysOf(device);
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
        Q_EMIT countsChanged(static_cast<int>(m_devices.size()), m_online);
    } else if (kind == "moved") {
        const QJsonObject detail = event.value("detail").toObject();
        device.siteId = detail.value("to").toString(event.value("site_id").toString());
        if (detail.value("group_cleared").toBool())
            device.groupId.clear();
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1)); // the tree moves its leaf
    } else if (kind == "updated") {
        const QJsonObject detail = event.value("detail").toObject();
        if (detail.contains("group_id"))
            device.groupId = detail.value("group_id").toString(); // null: out of its group
        if (detail.contains("tags")) {
            device.tags.clear();
            for (const auto& tag : detail.value("tags").toArray())
                device.tags.push_back(tag.toString());
            m_keys[row] = keysOf(device);
        }
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    } else if (kind == "approved") {
        device.approval = "approved";
        m_keys[row] = keysOf(device);
        Q_EMIT dataChanged(index(row, Status), index(row, Status));
    } else if (kind == "revoked") {
        device.revoked = true;
        m_keys[row] = keysOf(device);
        if (device.status == "online") {
            device.status = "offline";
            --m_online;
            Q_EMIT countsChanged(static_cast<int>(m_devices.size()), m_online);
        }
        Q_EMIT dataChanged(index(row, Status), index(row, Status));
    }
    // Re-enrolled (host name, site may have changed), or its patch counts or addresses moved: fetch the
    // record again.
    const bool addressesMoved = kind == "inventory_changed" &&
                                event.value("detail").toObject().value("section").toString() == "interfaces";
    return kind != "enrolled" && kind != "patches_changed" && !addressesMoved;
}

void DeviceTableModel::applySummaries(const QJsonArray& summaries) {
    for (const auto& item : summaries) {
        const QJsonObject summary = item.toObject();
        const int row = rowOf(summary.value("device_id").toString());
        if (row < 0)
            continue; // not loaded yet: the next page or fetch brings its figures
        Device& device = m_devices[row];
        const QString user = device.lastUser;
        device.applySummary(summary);
        if (device.lastUser != user)
            m_keys[row] = keysOf(device); // the search finds a device by who uses it
        Q_EMIT dataChanged(index(row, LastUser), index(row, Memory));
    }
}

} // namespace breeze::console
