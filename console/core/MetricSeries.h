#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QPointF>
#include <QString>
#include <QVector>

namespace breeze::console {

// A device's metrics for one range, as lines to draw: x is milliseconds since the epoch. Raw samples carry
// network counters (rates come from neighbours; a counter reset shows as a gap); hourly rollups carry bytes
// per hour.
struct MetricSeries {
    QString range;             // 1h, 24h, 7d, 30d
    QString resolution;        // raw or hourly
    QVector<QPointF> cpu;      // %
    QVector<QPointF> memory;   // % of total
    QVector<QPointF> disk;     // % of the fullest filesystem
    QVector<QPointF> received; // KiB/s
    QVector<QPointF> sent;     // KiB/s
    double networkPeak = 1;    // KiB/s, at least 1

    static MetricSeries fromPoints(const QString& range, const QString& resolution, const QJsonArray& points);
    bool isEmpty() const { return cpu.isEmpty(); }
};

// One heartbeat from the live channel, for an open device window.
struct LiveSample {
    QString deviceId;
    QJsonArray filesystems; // as filesystemsWithUsage takes them
    QPointF cpu;
    QPointF memory;

    static LiveSample fromJson(const QJsonObject& sample);
};

} // namespace breeze::console
