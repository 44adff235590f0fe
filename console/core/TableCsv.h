#pragma once

#include <QByteArray>
#include <QList>

class QAbstractItemModel;

namespace breeze::console {

// A table as CSV (RFC 4180, UTF-8 with a byte-order mark so spreadsheets read the accents): the header and
// every row of `model` as shown, over `columns` in that order. A cell an agent could have written to start
// with = + - @ (a formula when a spreadsheet opens it) is prefixed with ' so that it stays text.
QByteArray tableCsv(const QAbstractItemModel& model, const QList<int>& columns);

} // namespace breeze::console
