#include "PaletteModel.h"

#include "DeviceTableModel.h"
#include "FleetTreeModel.h"
#include "Script.h"

#include <algorithm>

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

namespace {
bool startsWord(const QString& key, qsizetype at) {
    return at == 0 || !key[at - 1].isLetterOrNumber();
}

// How well `word` matches `key`: as a piece of it (better at its start and at a word's start), else as
// letters in order ("wb01" finds web-01), better when they run together and start words; -1: no match.
int matchScore(const QString& key, const QString& word) {
    constexpr int kWhole = 10000;
    if (const qsizetype at = key.indexOf(word); at >= 0)
        return kWhole - static_cast<int>(std::min<qsizetype>(at, 1000)) + (at == 0 ? 2000 : 0) +
               (startsWord(key, at) ? 1000 : 0);
    int score = 0;
    int run = 0;
    qsizetype from = 0;
    for (const QChar letter : word) {
        const qsizetype found = key.indexOf(letter, from);
        if (found < 0)
            return -1;
        run = found == from ? run + 1 : 0;
        score += 10 + 5 * run + (startsWord(key, found) ? 20 : 0) -
                 static_cast<int>(std::min<qsizetype>(found - from, 9));
        from = found + 1;
    }
    return std::min(score, kWhole / 2); // letters in order never outrank the piece itself
}
} // namespace

QVector<PaletteModel::Entry> PaletteModel::scriptEntries(const QJsonArray& library) {
    QVector<Entry> entries;
    for (const auto& item : library) {
        const Script script = Script::fromRecord(item.toObject());
        entries.push_back({Kind::Script, script.id, script.name, {}});
    }
    return entries;
}

QVector<int> PaletteModel::find(const QString& text, int limit) const {
    const QStringList words = text.toLower().split(' ', Qt::SkipEmptyParts);
    QVector<QPair<int, int>> matches; // score, row
    for (int row = 0; row < m_entries.size(); ++row) {
        const QString& key = m_entries[row].key;
        int total = 0;
        for (const QString& word : words) {
            const int score = matchScore(key, word);
            if (score < 0) {
                total = -1;
                break;
            }
            total += score;
        }
        if (total >= 0)
            matches.push_back({total, row});
    }
    // The best first; equal scores keep the model's order (views and actions, places, then devices).
    const auto shown = std::min<qsizetype>(limit, matches.size());
    std::partial_sort(matches.begin(), matches.begin() + shown, matches.end(),
                      [](const auto& a, const auto& b) {
                          return a.first != b.first ? a.first > b.first : a.second < b.second;
                      });
    QVector<int> rows;
    for (qsizetype i = 0; i < shown; ++i)
        rows.push_back(matches[i].second);
    return rows;
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
