#include "TimeText.h"

#include <QRegularExpression>

namespace breeze::console::TimeText {

QDateTime parse(const QString& iso) {
    if (iso.isEmpty())
        return {};
    // PostgreSQL writes microseconds ("…:45.913143+00:00"); Qt reads at most milliseconds.
    static const QRegularExpression fraction(R"((\.\d{3})\d+)");
    QString text = iso;
    text.replace(fraction, "\\1");
    QDateTime at = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!at.isValid())
        at = QDateTime::fromString(text, Qt::ISODate);
    return at;
}

QString local(const QDateTime& at) {
    return at.isValid() ? at.toLocalTime().toString("yyyy-MM-dd HH:mm") : QString();
}

QString exactUtc(const QDateTime& at) {
    return at.isValid() ? at.toUTC().toString("yyyy-MM-dd HH:mm:ss.zzz") + " UTC" : QString();
}

QString span(qint64 seconds) {
    constexpr qint64 kMinute = 60;
    constexpr qint64 kHour = 60 * kMinute;
    constexpr qint64 kDay = 24 * kHour;
    if (seconds < kMinute)
        return QStringLiteral("< 1 min");
    if (seconds < kHour)
        return QStringLiteral("%1 min").arg(seconds / kMinute);
    if (seconds < kDay)
        return QStringLiteral("%1 h %2 min").arg(seconds / kHour).arg(seconds % kHour / kMinute);
    return QStringLiteral("%1 d %2 h").arg(seconds / kDay).arg(seconds % kDay / kHour);
}

bool isTimeField(const QString& field) {
    return field == "at" || field.endsWith("_at");
}

} // namespace breeze::console::TimeText
