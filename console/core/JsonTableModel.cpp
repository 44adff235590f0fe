#include "JsonTableModel.h"

#include "PlainTextMarkup.h"
#include "TimeText.h"

#include <QJsonObject>
#include <QLocale>

namespace breeze::console {

JsonTableModel::JsonTableModel(QList<Column> columns, QObject* parent)
    : QAbstractTableModel(parent), m_columns(std::move(columns)) {}

void JsonTableModel::setItems(QJsonArray items) {
    beginResetModel();
    m_items = std::move(items);
    endResetModel();
}

int JsonTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_items.size());
}

int JsonTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_columns.size());
}

QVariant JsonTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 ||
        section >= m_columns.size())
        return {};
    return m_columns[section].title;
}

QVariant JsonTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= m_items.size() || index.column() >= m_columns.size())
        return {};
    const QJsonValue value = m_items[index.row()].toObject().value(m_columns[index.column()].field);
    if (role == Qt::UserRole) // sorting: numbers as numbers
        return value.toVariant();
    const QString& field = m_columns[index.column()].field;
    // Moments in local time to the minute; the exact UTC time on hover.
    if (TimeText::isTimeField(field) && value.isString() &&
        (role == Qt::DisplayRole || role == Qt::ToolTipRole)) {
        const QDateTime at = TimeText::parse(value.toString());
        if (at.isValid())
            return role == Qt::DisplayRole ? TimeText::local(at) : TimeText::exactUtc(at);
    }
    // "<field>_note" explains a cell (why a severity is missing, say): shown on hover, as text.
    if (role == Qt::ToolTipRole) {
        const QString note = m_items[index.row()].toObject().value(field + "_note").toString();
        return note.isEmpty() ? QVariant() : QVariant(plainTextTooltip(note));
    }
    if (role != Qt::DisplayRole)
        return {};
    if (value.isDouble() && (field.endsWith("_bytes") || field == "size_bytes"))
        return QLocale().formattedDataSize(static_cast<qint64>(value.toDouble()));
    if (value.isDouble() && field.endsWith("_percent"))
        return QString("%1 %").arg(value.toDouble(), 0, 'f', 1);
    if (value.isBool())
        return value.toBool() ? tr("yes") : tr("no");
    if (value.isArray()) {
        QStringList parts;
        for (const auto& part : value.toArray())
            parts << part.toString();
        return parts.join(", ");
    }
    if (value.isObject())
        return QString();
    return value.toVariant().toString();
}

} // namespace breeze::console
