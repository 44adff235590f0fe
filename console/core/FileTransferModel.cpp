#include "FileTransferModel.h"

#include "TimeText.h"

#include <QFileInfo>
#include <QLocale>

namespace breeze::console {

FileTransferModel::FileTransferModel(FileTransferQueue& queue, QObject* parent)
    : QAbstractTableModel(parent), m_queue(queue) {
    connect(&queue, &FileTransferQueue::rowsChanged, this, [this] {
        beginResetModel();
        endResetModel();
    });
    connect(&queue, &FileTransferQueue::transferChanged, this, [this](int row) {
        if (row >= 0 && row < rowCount())
            Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    });
}

QString FileTransferModel::stateText(FileTransfer::State state) {
    switch (state) {
    case FileTransfer::State::Queued:
        return tr("Queued");
    case FileTransfer::State::Preparing:
        return tr("Checking");
    case FileTransfer::State::Running:
        return tr("Transferring");
    case FileTransfer::State::Paused:
        return tr("Paused");
    case FileTransfer::State::Waiting:
        return tr("Waiting for the connection");
    case FileTransfer::State::Conflict:
        return tr("Name taken: choose");
    case FileTransfer::State::Done:
        return tr("Done");
    case FileTransfer::State::Skipped:
        return tr("Skipped");
    case FileTransfer::State::Failed:
        return tr("Failed");
    case FileTransfer::State::Cancelled:
        return tr("Cancelled");
    }
    return {};
}

int FileTransferModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_queue.transfers().size());
}

int FileTransferModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FileTransferModel::data(const QModelIndex& index, int role) const {
    if (index.row() < 0 || index.row() >= rowCount())
        return {};
    const FileTransfer& transfer = m_queue.transfers()[index.row()];
    const bool download = transfer.direction == FileTransfer::Direction::Download;
    const int percent = transfer.total == 0 ? (transfer.state == FileTransfer::State::Done ? 100 : 0)
                                            : static_cast<int>(transfer.done * 100 / transfer.total);
    if (role == kIdRole)
        return transfer.id;
    if (role == Qt::UserRole && index.column() == Progress)
        return transfer.kind == FileTransfer::Kind::Folder ? QVariant() : QVariant(percent);
    if (role == Qt::ToolTipRole) {
        QString tip = download
                          ? tr("%1\nto %2").arg(QString::fromUtf8(transfer.remotePath), transfer.localPath)
                          : tr("%1\nto %2").arg(transfer.localPath, QString::fromUtf8(transfer.remotePath));
        if (!transfer.sha256.isEmpty())
            tip += tr("\nSHA-256 %1").arg(transfer.sha256);
        return tip;
    }
    if (role != Qt::DisplayRole)
        return {};
    const QLocale locale;
    switch (index.column()) {
    case Name:
        return QFileInfo(transfer.localPath).fileName() +
               (transfer.kind == FileTransfer::Kind::Folder ? QStringLiteral("/") : QString());
    case Direction:
        return download ? tr("Download") : tr("Upload");
    case Progress:
        if (transfer.kind == FileTransfer::Kind::Folder)
            return {};
        return tr("%1 of %2 (%3 %)")
            .arg(locale.formattedDataSize(static_cast<qint64>(transfer.done)),
                 locale.formattedDataSize(static_cast<qint64>(transfer.total)))
            .arg(percent);
    case Speed:
        return transfer.bytesPerSecond > 0
                   ? tr("%1/s").arg(locale.formattedDataSize(static_cast<qint64>(transfer.bytesPerSecond)))
                   : QString();
    case TimeLeft: {
        const auto left = transfer.secondsLeft();
        return !left ? QString() : *left < 60 ? tr("%1 s").arg(*left) : TimeText::span(*left);
    }
    case Status:
        return transfer.message.isEmpty()
                   ? stateText(transfer.state)
                   : stateText(transfer.state) + QStringLiteral(": ") + transfer.message;
    default:
        return {};
    }
}

QVariant FileTransferModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name:
        return tr("Name");
    case Direction:
        return tr("Direction");
    case Progress:
        return tr("Progress");
    case Speed:
        return tr("Speed");
    case TimeLeft:
        return tr("Time left");
    case Status:
        return tr("Status");
    default:
        return {};
    }
}

} // namespace breeze::console
