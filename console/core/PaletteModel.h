#pragma once

#include <QAbstractListModel>
#include <QJsonArray>
#include <QVector>

namespace breeze::console {

class DeviceTableModel;
class FleetTreeModel;

// Everything the command palette (Ctrl+K) can jump to: devices, organisations and sites, views, actions and
// library scripts, each with a lower-cased key so that typing filters 100,000 entries without delay. Typing
// matches pieces of a key first, then letters in order ("wb01" finds web-01).
class PaletteModel : public QAbstractListModel {
    Q_OBJECT

public:
    enum class Kind { Device, Organisation, Site, View, Action, Script };
    enum Role { KindRole = Qt::UserRole + 1, IdRole };
    struct Entry {
        Kind kind;
        QString id;
        QString label;
        QString key;
    };

    explicit PaletteModel(QObject* parent = nullptr) : QAbstractListModel(parent) {}

    // Rebuilds from the current devices and tree, plus the fixed views and actions.
    void rebuild(const DeviceTableModel& devices, const FleetTreeModel& tree, const QVector<Entry>& fixed);
    // Entries every word of `text` matches, at most `limit`, the best first.
    QVector<int> find(const QString& text, int limit) const;
    const Entry& entry(int row) const { return m_entries[row]; }
    // The library's scripts (as ScriptClient::list gives them) as entries.
    static QVector<Entry> scriptEntries(const QJsonArray& library);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

private:
    QVector<Entry> m_entries;
};

} // namespace breeze::console
