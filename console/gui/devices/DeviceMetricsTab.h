#pragma once

#include "MetricSeries.h"

#include <QDateTime>
#include <QPair>
#include <QPointer>
#include <QWidget>

class QChartView;
class QComboBox;
class QDateTimeAxis;
class QLineSeries;

namespace breeze::console {

// CPU, memory and the fullest disk, and network rates, over the last hour, day, week or month, the two charts
// over one time range. The last hour grows with each heartbeat while the window is open, and every range is
// asked for again each minute while the tab is shown; longer ranges are rollups. Pointing at a line shows its
// value and time. The charts take the console's light or dark look.
class DeviceMetricsTab : public QWidget {
    Q_OBJECT

public:
    explicit DeviceMetricsTab(QWidget* parent = nullptr);

    void showSeries(const MetricSeries& series);
    void addSample(const LiveSample& sample);

    // The time both charts show: [from, to].
    QPair<QDateTime, QDateTime> shownRange() const;
    // What hovering over the line `series` at `point` says ("CPU 23 % at 10:42").
    static QString valueText(const QString& series, const QPointF& point, const QString& unit);

Q_SIGNALS:
    void rangeChosen(const QString& range); // 1h, 24h, 7d, 30d

protected:
    void changeEvent(QEvent* event) override;

private:
    void explainOnHover(QLineSeries* series, const QString& unit);
    void showNetwork(const MetricSeries& series, const QString& timeFormat);

    QComboBox* m_range;
    QChartView* m_chart;
    QChartView* m_network;
    QPointer<QLineSeries> m_liveCpu;
    QPointer<QLineSeries> m_liveMemory;
    QPointer<QDateTimeAxis> m_liveTime;
    QPointer<QLineSeries> m_liveDisk;
    QPointer<QDateTimeAxis> m_networkTime;
};

} // namespace breeze::console
