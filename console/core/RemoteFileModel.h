#pragma once

#include "RemoteFiles.h"

#include <QAbstractTableModel>

namespace breeze::console {

// A remote folder's entries as a table: name, size, modified, owner, mode. Sorted with folders first; links
// show where they point. Names are the device's: plain text only.
class RemoteFileModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { Name, Size, Modified, Owner, Mode, ColumnCount };
    static constexpr int kSortRole = Qt::UserRole + 1;

    using QAbstractTableModel::QAbstractTableModel;

    void setEntries(const QVector<RemoteFileEntry>& entries);
    const RemoteFileEntry* entry(int row) const;
    int rowOfName(const QByteArray& name) const;
    // "drwxr-xr-x", as ls shows it.
    static QString modeText(const RemoteFileEntry& entry);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    void sort(int column, Qt::SortOrder order) override;

private:
    QVector<RemoteFileEntry> m_entries;
    int m_sortColumn = Name;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
};

} // namespace breeze::console
