#include "RemoteFileModel.h"

#include "TimeText.h"

#include <QHash>
#include <QLocale>
#include <algorithm>

namespace breeze::console {

void RemoteFileModel::setEntries(const QVector<RemoteFileEntry>& entries) {
    beginResetModel();
    m_entries = entries;
    endResetModel();
    sort(m_sortColumn, m_sortOrder);
}

const RemoteFileEntry* RemoteFileModel::entry(int row) const {
    return row >= 0 && row < m_entries.size() ? &m_entries[row] : nullptr;
}

int RemoteFileModel::rowOfName(const QByteArray& name) const {
    for (int row = 0; row < m_entries.size(); ++row)
        if (m_entries[row].name == name)
            return row;
    return -1;
}

QString RemoteFileModel::modeText(const RemoteFileEntry& entry) {
    QString text = entry.isDir()                          ? QStringLiteral("d")
                   : entry.type == QStringLiteral("link") ? QStringLiteral("l")
                   : entry.type == QStringLiteral("file") ? QStringLiteral("-")
                                                          : QStringLiteral("?");
    const char* letters = "rwxrwxrwx";
    for (int bit = 0; bit < 9; ++bit)
        text += (entry.mode & (0400 >> bit)) ? QChar::fromLatin1(letters[bit]) : QChar('-');
    if (entry.mode & 04000)
        text[3] = text[3] == QChar('x') ? QChar('s') : QChar('S');
    if (entry.mode & 02000)
        text[6] = text[6] == QChar('x') ? QChar('s') : QChar('S');
    if (entry.mode & 01000)
        text[9] = text[9] == QChar('x') ? QChar('t') : QChar('T');
    return text;
}

int RemoteFileModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_entries.size());
}

int RemoteFileModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RemoteFileModel::data(const QModelIndex& index, int role) const {
    const RemoteFileEntry* item = entry(index.row());
    if (!item)
        return {};
    const bool link = item->type == QStringLiteral("link");
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Name:
            // A name may hold a newline: shown as the symbol for it, so a row stays one line.
            return QString(item->displayName()).replace(QChar('\n'), QChar(0x2424)) +
                   (item->isDir() ? QStringLiteral("/")
                    : link        ? QStringLiteral(" → ") + QString::fromUtf8(item->target)
                                  : QString());
        case Size:
            return item->isDir() ? QString() : QLocale().formattedDataSize(static_cast<qint64>(item->size));
        case Modified:
            return TimeText::local(QDateTime::fromSecsSinceEpoch(item->mtime));
        case Owner:
            return item->group.isEmpty() ? item->owner : item->owner + QChar(':') + item->group;
        case Mode:
            return modeText(*item);
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole && index.column() == Name)
        return link ? tr("Link to %1").arg(QString::fromUtf8(item->target)) : item->displayName();
    if (role == Qt::ToolTipRole && index.column() == Modified)
        return TimeText::exactUtc(QDateTime::fromSecsSinceEpoch(item->mtime));
    if (role == Qt::TextAlignmentRole && index.column() == Size)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role == kSortRole) {
        switch (index.column()) {
        case Size:
            return static_cast<qulonglong>(item->size);
        case Modified:
            return item->mtime;
        case Owner:
            return item->owner;
        case Mode:
            return item->mode;
        default:
            return item->displayName();
        }
    }
    return {};
}

QVariant RemoteFileModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name:
        return tr("Name");
    case Size:
        return tr("Size");
    case Modified:
        return tr("Modified");
    case Owner:
        return tr("Owner");
    case Mode:
        return tr("Mode");
    default:
        return {};
    }
}

void RemoteFileModel::sort(int column, Qt::SortOrder order) {
    m_sortColumn = column;
    m_sortOrder = order;
    Q_EMIT layoutAboutToBeChanged();
    // The selection follows its entries (a delete must hit what the technician selected, not its old row).
    const QModelIndexList persistent = persistentIndexList();
    QVector<QByteArray> names;
    names.reserve(persistent.size());
    for (const QModelIndex& index : persistent)
        names.push_back(m_entries.value(index.row()).name);
    // Folders first whichever way, as file managers do; then the column, then the name.
    std::stable_sort(m_entries.begin(), m_entries.end(),
                     [&](const RemoteFileEntry& a, const RemoteFileEntry& b) {
                         if (a.isDir() != b.isDir())
                             return a.isDir();
                         int compared = 0;
                         switch (column) {
                         case Size:
                             compared = a.size < b.size ? -1 : a.size > b.size ? 1 : 0;
                             break;
                         case Modified:
                             compared = a.mtime < b.mtime ? -1 : a.mtime > b.mtime ? 1 : 0;
                             break;
                         case Owner:
                             compared = QString::localeAwareCompare(a.owner, b.owner);
                             break;
                         case Mode:
                             compared = a.mode - b.mode;
                             break;
                         default:
                             break;
                         }
                         if (compared == 0)
                             compared = QString::localeAwareCompare(a.displayName(), b.displayName());
                         if (compared == 0)
                             compared = a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
                         return order == Qt::AscendingOrder ? compared < 0 : compared > 0;
                     });
    QHash<QByteArray, int> rows;
    for (int row = 0; row < m_entries.size(); ++row)
        rows.insert(m_entries[row].name, row);
    for (qsizetype i = 0; i < persistent.size(); ++i) {
        const int row = rows.value(names[i], -1);
        changePersistentIndex(persistent[i], row < 0 ? QModelIndex() : index(row, persistent[i].column()));
    }
    Q_EMIT layoutChanged();
}

} // namespace breeze::console
