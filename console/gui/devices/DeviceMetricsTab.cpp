#include "devices/DeviceMetricsTab.h"

#include "FilesystemUsage.h"
#include "widgets/ChartLook.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QCursor>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QEvent>
#include <QLineSeries>
#include <QTimer>
#include <QToolTip>
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
    // Every range moves on while someone looks: asked for again each minute.
    auto* refresh = new QTimer(this);
    refresh->setInterval(60000);
    connect(refresh, &QTimer::timeout, this, [this] {
        if (isVisible())
            Q_EMIT rangeChosen(m_range->currentData().toString());
    });
    refresh->start();
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
    for (auto* each : {cpu, memory, disk}) {
        chart->addSeries(each);
        explainOnHover(each, "%");
    }
    const bool lastHour = series.range == "1h";
    m_liveCpu = lastHour ? cpu : nullptr;
    m_liveMemory = lastHour ? memory : nullptr;
    m_liveDisk = lastHour ? disk : nullptr;
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
    // Both charts over the same span, the chosen range up to now, whatever the samples cover.
    const QDateTime now = QDateTime::currentDateTime();
    const qint64 seconds = series.range == "1h"    ? 3600
                           : series.range == "24h" ? 86400
                           : series.range == "7d"  ? 7 * 86400
                                                   : 30 * 86400;
    time->setRange(now.addSecs(-seconds), now);
    showNetwork(series, time->format());
    m_networkTime->setRange(time->min(), time->max());
    applyChartLook(chart);
    replaceChart(m_chart, chart);
}

QPair<QDateTime, QDateTime> DeviceMetricsTab::shownRange() const {
    const auto* chart = m_chart->chart();
    const auto axes = chart ? chart->axes(Qt::Horizontal) : QList<QAbstractAxis*>();
    const auto* time = axes.isEmpty() ? nullptr : qobject_cast<const QDateTimeAxis*>(axes.first());
    return time ? qMakePair(time->min(), time->max()) : QPair<QDateTime, QDateTime>();
}

QString DeviceMetricsTab::valueText(const QString& series, const QPointF& point, const QString& unit) {
    const QDateTime at = QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(point.x()));
    return tr("%1: %2 %3 at %4")
        .arg(series, QString::number(point.y(), 'f', 1), unit, at.toLocalTime().toString("yyyy-MM-dd HH:mm"));
}

void DeviceMetricsTab::explainOnHover(QLineSeries* series, const QString& unit) {
    connect(series, &QLineSeries::hovered, this, [series, unit](const QPointF& point, bool inside) {
        if (inside)
            QToolTip::showText(QCursor::pos(), valueText(series->name(), point, unit));
        else
            QToolTip::hideText();
    });
}

void DeviceMetricsTab::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (!changesLook(event))
        return;
    QTimer::singleShot(0, this, [this] {
        for (QChartView* view : {m_chart, m_network})
            if (view->chart())
                applyChartLook(view->chart());
    });
}

void DeviceMetricsTab::showNetwork(const MetricSeries& series, const QString& timeFormat) {
    auto* chart = new QChart;
    chart->setTitle(tr("Network, KiB/s (all interfaces but loopback)"));
    auto* received = line(tr("received"), series.received, chart);
    auto* sent = line(tr("sent"), series.sent, chart);
    chart->addSeries(received);
    chart->addSeries(sent);
    explainOnHover(received, tr("KiB/s"));
    explainOnHover(sent, tr("KiB/s"));
    auto* time = new QDateTimeAxis(chart);
    m_networkTime = time;
    time->setFormat(timeFormat);
    auto* rate = new QValueAxis(chart);
    rate->setRange(0, series.networkPeak * 1.1);
    rate->setLabelFormat(series.networkPeak < 10 ? "%.1f" : "%.0f"); // small rates keep their tenths
    chart->addAxis(time, Qt::AlignBottom);
    chart->addAxis(rate, Qt::AlignLeft);
    for (auto* each : {received, sent}) {
        each->attachAxis(time);
        each->attachAxis(rate);
    }
    applyChartLook(chart);
    replaceChart(m_network, chart);
}

void DeviceMetricsTab::addSample(const LiveSample& sample) {
    if (!m_liveCpu || !m_liveMemory || !m_liveTime)
        return;
    // The agent's sampling time, as the stored series uses; the hour slides forward.
    m_liveCpu->append(sample.cpu);
    m_liveMemory->append(sample.memory);
    // The fullest filesystem of the sample, as df measures it.
    const double fullest = fullestUsedPercent(filesystemsWithUsage({}, sample.filesystems));
    if (m_liveDisk && fullest >= 0)
        m_liveDisk->append(sample.cpu.x(), fullest);
    // The hour slides forward, on both charts alike.
    const QDateTime newest = QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(sample.cpu.x()));
    m_liveTime->setRange(std::max(m_liveTime->min(), newest.addSecs(-3600)),
                         std::max(m_liveTime->max(), newest));
    if (m_networkTime)
        m_networkTime->setRange(m_liveTime->min(), m_liveTime->max());
}

} // namespace breeze::console
