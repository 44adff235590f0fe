#include "PaletteModel.h"

#include "DeviceTableModel.h"
#include "FleetTreeModel.h"

namespace breeze::console {

void PaletteModel::rebuild(const DeviceTableModel& devices, const FleetTreeModel& tree,
                           const QVector<Entry>& fixed) {
    beginResetModel();
    m_entries = fixed;
    for (auto& entry : m_entries)
        entry.key = entry.label.toLower();
    for (int o = 0; o < tree.rowCount(tree.organisationsRoot()); ++o) {
        const QModelIndex org = tree.index(o, 0, tree.organisationsRoot());
        const QString orgName = org.data(Qt::DisplayRole).toString().section(" (", 0, 0);
        m_entries.push_back(
            {Kind::Organisation, org.data(FleetTreeModel::IdRole).toString(), orgName, orgName.toLower()});
        for (int s = 0; s < tree.rowCount(org); ++s) {
            const QModelIndex site = tree.index(s, 0, org);
            const QString label = site.data(Qt::DisplayRole).toString().section(" (", 0, 0) + " — " + orgName;
            m_entries.push_back(
                {Kind::Site, site.data(FleetTreeModel::IdRole).toString(), label, label.toLower()});
        }
    }
    m_entries.reserve(m_entries.size() + devices.rowCount());
    for (int row = 0; row < devices.rowCount(); ++row) {
        const Device& device = devices.at(row);
        const QString name = device.hostname.isEmpty() ? device.identity : device.hostname;
        const QString label = device.lastAddress.isEmpty() ? name : name + "  " + device.lastAddress;
        m_entries.push_back({Kind::Device, device.id, label, devices.searchKey(row)});
    }
    endResetModel();
}

QVector<int> PaletteModel::find(const QString& text, int limit) const {
    const QStringList words = text.toLower().split(' ', Qt::SkipEmptyParts);
    QVector<int> prefix;
    QVector<int> other;
    for (int row = 0; row < m_entries.size() && prefix.size() < limit; ++row) {
        const QString& key = m_entries[row].key;
        bool all = true;
        for (const QString& word : words)
            all = all && key.contains(word);
        if (!all)
            continue;
        if (!words.isEmpty() && key.startsWith(words.first()))
            prefix.push_back(row);
        else if (other.size() < limit)
            other.push_back(row);
    }
    prefix += other.mid(0, limit - prefix.size());
    return prefix;
}

int PaletteModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_entries.size());
}

QVariant PaletteModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= m_entries.size())
        return {};
    const Entry& entry = m_entries[index.row()];
    switch (role) {
    case Qt::DisplayRole:
        return entry.label;
    case KindRole:
        return static_cast<int>(entry.kind);
    case IdRole:
        return entry.id;
    default:
        return {};
    }
}

} // namespace breeze::console
