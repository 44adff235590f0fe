#pragma once

#include <QDateTime>
#include <QString>

namespace breeze::console {

// The one way the console shows a moment: the workstation's local time to the minute in tables and labels,
// and the exact time in UTC in their tooltips. Reads the server's timestamps (ISO 8601 with any fraction of a
// second and an offset or Z).
namespace TimeText {
QDateTime parse(const QString& iso);   // invalid when `iso` is not a timestamp
QString local(const QDateTime& at);    // "2026-12-07 09:17"; empty for an invalid time
QString exactUtc(const QDateTime& at); // "2026-12-07 08:17:45.913 UTC"; empty for an invalid time
// A span of time as a technician reads uptime: "3 d 4 h", "4 h 12 min", "12 min", "< 1 min".
QString span(qint64 seconds);
// Whether a REST field holds a timestamp: "at" and every "…_at".
bool isTimeField(const QString& field);
} // namespace TimeText

} // namespace breeze::console
