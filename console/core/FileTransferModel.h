#pragma once

#include "FileTransferQueue.h"

#include <QAbstractTableModel>

namespace breeze::console {

// A file session's transfers as a table: what, which way, how far (Qt::UserRole: 0-100), speed, time left and
// state.
class FileTransferModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { Name, Direction, Progress, Speed, TimeLeft, Status, ColumnCount };
    static constexpr int kIdRole = Qt::UserRole + 1;

    explicit FileTransferModel(FileTransferQueue& queue, QObject* parent = nullptr);

    static QString stateText(FileTransfer::State state);
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    FileTransferQueue& m_queue;
};

} // namespace breeze::console
