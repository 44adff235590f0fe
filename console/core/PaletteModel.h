#pragma once

#include <QAbstractListModel>
#include <QVector>

namespace breeze::console {

class DeviceTableModel;
class FleetTreeModel;

// Everything the command palette (Ctrl+K) can jump to: devices, organisations and sites, views and actions,
// each with a lower-cased key so that typing filters 100,000 entries without delay.
class PaletteModel : public QAbstractListModel {
    Q_OBJECT

public:
    enum class Kind { Device, Organisation, Site, View, Action };
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
    // Entries whose key contains every word of `text`, at most `limit`, best (prefix) matches first.
    QVector<int> find(const QString& text, int limit) const;
    const Entry& entry(int row) const { return m_entries[row]; }

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

private:
    QVector<Entry> m_entries;
};

} // namespace breeze::console
