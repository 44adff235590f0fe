#include "patches/PatchComplianceChart.h"

#include "PlainTextMarkup.h"
#include "widgets/ChartLook.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QEvent>
#include <QTimer>
#include <QValueAxis>

namespace breeze::console {

PatchComplianceChart::PatchComplianceChart(ApiClient& api, QWidget* parent)
    : QChartView(parent), m_client(api) {
    setRenderHint(QPainter::Antialiasing);
}

void PatchComplianceChart::reload() {
    m_client.compliance(m_scope, [this](const PatchCompliance& compliance, const QString& error) {
        if (error.isEmpty())
            display(compliance);
    });
}

void PatchComplianceChart::display(const PatchCompliance& compliance) {
    auto* all = new QBarSet(tr("Fully patched %"));
    auto* security = new QBarSet(tr("Security updates %"));
    QStringList sites;
    for (const auto& site : compliance.sites) {
        sites << plainTextLabel(site.name); // QtCharts draws labels as HTML
        *all << site.share * 100;
        *security << site.securityShare * 100;
    }
    auto* series = new QBarSeries;
    series->append(all);
    series->append(security);
    auto* chart = new QChart;
    chart->addSeries(series);
    auto* axisX = new QBarCategoryAxis;
    axisX->append(sites);
    chart->addAxis(axisX, Qt::AlignBottom);
    series->attachAxis(axisX);
    auto* axisY = new QValueAxis;
    axisY->setRange(0, 100);
    chart->addAxis(axisY, Qt::AlignLeft);
    series->attachAxis(axisY);
    chart->setTitle(
        tr("%1 of %2 scanned devices fully patched").arg(compliance.fullyPatched).arg(compliance.scanned));
    applyChartLook(chart);
    QChart* old = this->chart();
    setChart(chart);
    delete old;
}

void PatchComplianceChart::changeEvent(QEvent* event) {
    QChartView::changeEvent(event);
    if (changesLook(event))
        QTimer::singleShot(0, this, [this] {
            if (chart())
                applyChartLook(chart());
        });
}

} // namespace breeze::console
