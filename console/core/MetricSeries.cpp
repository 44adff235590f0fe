#include "MetricSeries.h"

#include <QDateTime>
#include <algorithm>

namespace breeze::console {

namespace {
double percentOf(double used, double total) {
    return total > 0 ? 100.0 * used / total : 0.0;
}
} // namespace

MetricSeries MetricSeries::fromPoints(const QString& range, const QString& resolution,
                                      const QJsonArray& points) {
    MetricSeries series{range, resolution, {}, {}, {}, {}, {}, 1};
    const bool hourly = resolution == "hourly";
    qint64 previousAt = 0;
    double previousRx = 0, previousTx = 0;
    for (const auto& value : points) {
        const QJsonObject point = value.toObject();
        const qint64 at =
            QDateTime::fromString(point.value("at").toString(), Qt::ISODateWithMs).toMSecsSinceEpoch();
        const auto x = static_cast<qreal>(at);
        series.cpu.append({x, point.value(hourly ? "cpu_avg" : "cpu_percent").toDouble()});
        series.memory.append({x, percentOf(point.value(hourly ? "memory_used_avg" : "memory_used").toDouble(),
                                           point.value("memory_total").toDouble())});
        series.disk.append(
            {x, point.value(hourly ? "disk_used_percent_max" : "disk_used_percent").toDouble()});
        const double rx = point.value("net_rx_bytes").toDouble();
        const double tx = point.value("net_tx_bytes").toDouble();
        if (hourly) {
            series.received.append({x, rx / 3600.0 / 1024.0});
            series.sent.append({x, tx / 3600.0 / 1024.0});
            series.networkPeak = std::max({series.networkPeak, rx / 3600.0 / 1024.0, tx / 3600.0 / 1024.0});
        } else if (previousAt > 0 && at > previousAt && rx >= previousRx && tx >= previousTx) {
            const double seconds = static_cast<double>(at - previousAt) / 1000.0;
            const double in = (rx - previousRx) / seconds / 1024.0;
            const double out = (tx - previousTx) / seconds / 1024.0;
            series.received.append({x, in});
            series.sent.append({x, out});
            series.networkPeak = std::max({series.networkPeak, in, out});
        }
        previousAt = at;
        previousRx = rx;
        previousTx = tx;
    }
    return series;
}

LiveSample LiveSample::fromJson(const QJsonObject& sample) {
    const auto at = static_cast<qreal>(sample.value("sampled_at_ms").toDouble());
    return {sample.value("device_id").toString(),
            sample.value("filesystems").toArray(),
            {at, sample.value("cpu_percent").toDouble()},
            {at, percentOf(sample.value("memory_used").toDouble(), sample.value("memory_total").toDouble())}};
}

} // namespace breeze::console
