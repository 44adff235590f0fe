#include "DeviceTableModel.h"

#include "PlainTextMarkup.h"
#include "TimeText.h"

#include <QJsonArray>
#include <QJsonObject>

namespace breeze::console {

int DeviceTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_devices.size());
}

int DeviceTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DeviceTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Hostname:
        return tr("Host name");
    case Status:
        return tr("Status");
    case Os:
        return tr("Operating system");
    case Address:
        return tr("Address");
    case AgentVersion:
        return tr("Agent");
    case LastSeen:
        return tr("Last seen");
    case LastUser:
        return tr("Last user");
    case Cpu:
        return tr("CPU");
    case Memory:
        return tr("Memory");
    case Tags:
        return tr("Tags");
    default:
        return {};
    }
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
    case SortRole:
        switch (index.column()) {
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
        case Os:
            return device.os;
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
            const double value = index.column() == Cpu ? device.cpuPercent : device.memoryPercent;
            if (role == SortRole)
                return value;
            return value < 0 ? QString() : QString("%1 %").arg(qRound(value));
        }
        case LastSeen:
            if (role == SortRole)
                return device.lastSeen;
            return TimeText::local(device.lastSeen);
        default:
            return {};
        }
    case Qt::ToolTipRole:
        if (index.column() == Status && !device.takeoverRequest.isEmpty())
            return plainTextTooltip(tr("Another machine enrolled under this device's identity and waits for "
                                       "approval: %1")
                                        .arg(device.takeoverRequest));
        if (index.column() == LastSeen && device.lastSeen.isValid())
            return TimeText::exactUtc(device.lastSeen);
        return index.column() == Hostname ? QVariant(plainTextTooltip(device.identity)) : QVariant();
    case Qt::TextAlignmentRole:
        return index.column() == Cpu || index.column() == Memory
                   ? QVariant(static_cast<int>(Qt::AlignRight | Qt::AlignVCenter))
                   : QVariant();
    default:
        return {};
    }
}

DeviceTableModel::Keys DeviceTableModel::keysOf(const Device& device) {
    const QString name = device.hostname.isEmpty() ? device.identity : device.hostname;
    const QString status = device.revoked                      ? "revoked"
                           : device.approval == "pending"      ? "awaiting approval"
                           : !device.takeoverRequest.isEmpty() ? device.status + " takeover requested"
                                                               : device.status;
    return {(name + '\n' + device.identity + '\n' + device.lastAddress + '\n' + device.os + '\n' + status +
             '\n' + device.tags.join('\n'))
                .toLower(),
            name.toLower()};
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
        return kind == "inventory_changed" || kind == "command"; // nothing to show for an unknown device
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
    } else if (kind == "enrolled") {
        return false; // re-enrolled: fetch the record again (hostname, site may have changed)
    }
    return true;
}

void DeviceTableModel::applySummaries(const QJsonArray& summaries) {
    for (const auto& item : summaries) {
        const QJsonObject summary = item.toObject();
        const int row = rowOf(summary.value("device_id").toString());
        if (row < 0)
            continue; // not loaded yet: the next page or fetch brings its figures
        m_devices[row].applySummary(summary);
        Q_EMIT dataChanged(index(row, LastUser), index(row, Memory));
    }
}

} // namespace breeze::console
