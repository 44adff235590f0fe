#include "TableCsv.h"

#include <QAbstractItemModel>
#include <QStringList>

namespace breeze::console {

namespace {
QString cell(QString text) {
    if (!text.isEmpty() && QStringLiteral("=+-@\t\r").contains(text.front()))
        text.prepend('\'');
    if (text.contains(',') || text.contains('"') || text.contains('\n') || text.contains('\r')) {
        text.replace('"', "\"\"");
        text = '"' + text + '"';
    }
    return text;
}
} // namespace

QByteArray tableCsv(const QAbstractItemModel& model, const QList<int>& columns) {
    QString csv;
    QStringList line;
    for (const int column : columns)
        line << cell(model.headerData(column, Qt::Horizontal).toString());
    csv += line.join(',') + "\r\n";
    for (int row = 0; row < model.rowCount(); ++row) {
        line.clear();
        for (const int column : columns)
            line << cell(model.index(row, column).data().toString());
        csv += line.join(',') + "\r\n";
    }
    return QByteArray("\xEF\xBB\xBF") + csv.toUtf8();
}

} // namespace breeze::console
