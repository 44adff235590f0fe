#include "devices/DeviceMetricsTab.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QLineSeries>
#include <QVBoxLayout>
#include <QValueAxis>

namespace breeze::console {

namespace {
QLineSeries* line(const QString& name, const QVector<QPointF>& points, QChart* chart) {
    auto* series = new QLineSeries(chart);
    series->setName(name);
    series->append(points);
    return series;
}

// Replaces what a chart view shows, deleting the chart it showed before.
void replaceChart(QChartView* view, QChart* chart) {
    QChart* old = view->chart();
    view->setChart(chart);
    delete old;
}
} // namespace

DeviceMetricsTab::DeviceMetricsTab(QWidget* parent)
    : QWidget(parent), m_range(new QComboBox(this)), m_chart(new QChartView(this)),
      m_network(new QChartView(this)) {
    m_range->addItem(tr("Last hour"), "1h");
    m_range->addItem(tr("Last 24 hours"), "24h");
    m_range->addItem(tr("Last 7 days"), "7d");
    m_range->addItem(tr("Last 30 days"), "30d");
    connect(m_range, &QComboBox::currentIndexChanged, this,
            [this] { Q_EMIT rangeChosen(m_range->currentData().toString()); });
    m_chart->setRenderHint(QPainter::Antialiasing);
    m_network->setRenderHint(QPainter::Antialiasing);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_range, 0, Qt::AlignLeft);
    layout->addWidget(m_chart, 3);
    layout->addWidget(m_network, 2);
}

void DeviceMetricsTab::showSeries(const MetricSeries& series) {
    auto* chart = new QChart;
    chart->setTitle(series.isEmpty()
                        ? tr("No samples yet for this period")
                        : tr("CPU, memory and fullest disk, %1").arg(m_range->currentText().toLower()));
    auto* cpu = line(tr("CPU %"), series.cpu, chart);
    auto* memory = line(tr("Memory %"), series.memory, chart);
    auto* disk = line(tr("Disk %"), series.disk, chart);
    auto* time = new QDateTimeAxis(chart);
    for (auto* each : {cpu, memory, disk})
        chart->addSeries(each);
    const bool lastHour = series.range == "1h";
    m_liveCpu = lastHour ? cpu : nullptr;
    m_liveMemory = lastHour ? memory : nullptr;
    m_liveTime = lastHour ? time : nullptr;
    time->setFormat(lastHour || series.range == "24h" ? "HH:mm" : "MM-dd");
    auto* percent = new QValueAxis(chart);
    percent->setRange(0, 100);
    percent->setLabelFormat("%d");
    chart->addAxis(time, Qt::AlignBottom);
    chart->addAxis(percent, Qt::AlignLeft);
    for (auto* each : {cpu, memory, disk}) {
        each->attachAxis(time);
        each->attachAxis(percent);
    }
    showNetwork(series, time->format());
    replaceChart(m_chart, chart);
}

void DeviceMetricsTab::showNetwork(const MetricSeries& series, const QString& timeFormat) {
    auto* chart = new QChart;
    chart->setTitle(tr("Network, KiB/s (all interfaces but loopback)"));
    auto* received = line(tr("received"), series.received, chart);
    auto* sent = line(tr("sent"), series.sent, chart);
    chart->addSeries(received);
    chart->addSeries(sent);
    auto* time = new QDateTimeAxis(chart);
    time->setFormat(timeFormat);
    auto* rate = new QValueAxis(chart);
    rate->setRange(0, series.networkPeak * 1.1);
    rate->setLabelFormat("%.0f");
    chart->addAxis(time, Qt::AlignBottom);
    chart->addAxis(rate, Qt::AlignLeft);
    for (auto* each : {received, sent}) {
        each->attachAxis(time);
        each->attachAxis(rate);
    }
    replaceChart(m_network, chart);
}

void DeviceMetricsTab::addSample(const LiveSample& sample) {
    if (!m_liveCpu || !m_liveMemory || !m_liveTime)
        return;
    // The agent's sampling time, as the stored series uses; the hour slides forward.
    m_liveCpu->append(sample.cpu);
    m_liveMemory->append(sample.memory);
    const QDateTime newest = QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(sample.cpu.x()));
    m_liveTime->setRange(std::min(m_liveTime->min(), newest.addSecs(-3600)),
                         std::max(m_liveTime->max(), newest));
}

} // namespace breeze::console
