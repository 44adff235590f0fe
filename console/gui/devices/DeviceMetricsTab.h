#pragma once

#include "MetricSeries.h"

#include <QPointer>
#include <QWidget>

class QChartView;
class QComboBox;
class QDateTimeAxis;
class QLineSeries;

namespace breeze::console {

// CPU, memory and the fullest disk, and network rates, over the last hour, day, week or month. The last hour
// grows with each heartbeat while the window is open; longer ranges are rollups.
class DeviceMetricsTab : public QWidget {
    Q_OBJECT

public:
    explicit DeviceMetricsTab(QWidget* parent = nullptr);

    void showSeries(const MetricSeries& series);
    void addSample(const LiveSample& sample);

Q_SIGNALS:
    void rangeChosen(const QString& range); // 1h, 24h, 7d, 30d

private:
    void showNetwork(const MetricSeries& series, const QString& timeFormat);

    QComboBox* m_range;
    QChartView* m_chart;
    QChartView* m_network;
    QPointer<QLineSeries> m_liveCpu;
    QPointer<QLineSeries> m_liveMemory;
    QPointer<QDateTimeAxis> m_liveTime;
};

} // namespace breeze::console
