#include "devices/DashboardView.h"

#include "DeviceTableModel.h"
#include "PlainTextMarkup.h"
#include "TimeText.h"
#include "widgets/Colours.h"

#include <QChart>
#include <QChartView>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMap>
#include <QPieSeries>
#include <QTableWidget>
#include <QTimer>
#include <algorithm>

namespace breeze::console {

namespace {
QLabel* tile(const QString& caption, Colour shade, QWidget* parent, QGridLayout* grid, int column) {
    auto* box = new QWidget(parent);
    auto* layout = new QVBoxLayout(box);
    auto* number = new QLabel("0", box);
    number->setTextFormat(Qt::PlainText);
    number->setStyleSheet("font-size: 28pt; font-weight: 600; " + colourStyle(shade));
    auto* label = new QLabel(caption, box);
    layout->addWidget(number);
    layout->addWidget(label);
    grid->addWidget(box, 0, column);
    return number;
}
} // namespace

DashboardView::DashboardView(DeviceTableModel& devices, QWidget* parent)
    : QWidget(parent), m_devices(devices) {
    auto* grid = new QGridLayout(this);
    m_online = tile(tr("online"), Colour::Success, this, grid, 0);
    m_offline = tile(tr("offline"), Colour::Muted, this, grid, 1);
    m_total = tile(tr("devices"), Colour::Accent, this, grid, 2);
    m_systems = new QChartView(this);
    m_systems->setRenderHint(QPainter::Antialiasing);
    m_systems->setMinimumSize(460, 300);
    grid->addWidget(m_systems, 1, 0, 1, 3);
    m_recent = new QTableWidget(0, 2, this);
    m_recent->setHorizontalHeaderLabels({tr("Recently offline"), tr("Last seen")});
    m_recent->verticalHeader()->hide();
    m_recent->horizontalHeader()->setStretchLastSection(true);
    m_recent->setEditTriggers(QAbstractItemView::NoEditTriggers);
    grid->addWidget(m_recent, 1, 3);
    grid->setColumnStretch(2, 1);
    grid->setColumnStretch(3, 1);

    m_throttle = new QTimer(this);
    m_throttle->setSingleShot(true);
    m_throttle->setInterval(500);
    connect(m_throttle, &QTimer::timeout, this, &DashboardView::refresh);
    const auto later = [this] {
        if (!m_throttle->isActive())
            m_throttle->start();
    };
    connect(&devices, &DeviceTableModel::countsChanged, this, later);
    connect(&devices, &QAbstractItemModel::modelReset, this,
            &DashboardView::refresh); // a fresh list: at once
    refresh();
}

void DashboardView::refresh() {
    const int total = m_devices.rowCount();
    const int online = m_devices.onlineCount();
    QMap<QString, int> systems;
    // A revoked device will not come back: it is not offline, and not among the recently offline.
    std::vector<const Device*> offline;
    for (int row = 0; row < total; ++row) {
        const Device& device = m_devices.at(row);
        ++systems[device.os.isEmpty() ? tr("unknown") : device.os];
        if (device.status != "online" && !device.revoked)
            offline.push_back(&device);
    }
    m_online->setText(QString::number(online));
    m_offline->setText(QString::number(offline.size()));
    m_total->setText(QString::number(total));
    auto* chart = new QChart;
    chart->setTitle(tr("Operating systems"));
    auto* pie = new QPieSeries(chart);
    // The biggest eight by name; the rest together, so the chart stays readable for a mixed fleet.
    QList<QPair<int, QString>> ranked;
    for (auto it = systems.cbegin(); it != systems.cend(); ++it)
        ranked.append({it.value(), it.key()});
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    int others = 0;
    for (int i = 0; i < ranked.size(); ++i) {
        if (i < 8)
            // Qt Charts draws legend labels as HTML; an OS name comes from an agent and must stay text.
            pie->append(
                QString("%1 (%2)").arg(plainTextLabel(ranked[i].second), QString::number(ranked[i].first)),
                ranked[i].first);
        else
            others += ranked[i].first;
    }
    if (others > 0)
        pie->append(tr("others (%1)").arg(others), others);
    chart->addSeries(pie);
    chart->legend()->setAlignment(Qt::AlignRight);
    QChart* old = m_systems->chart();
    m_systems->setChart(chart);
    delete old;

    const std::size_t shown = std::min<std::size_t>(offline.size(), 20);
    std::partial_sort(offline.begin(), offline.begin() + static_cast<long>(shown), offline.end(),
                      [](const Device* a, const Device* b) { return a->lastSeen > b->lastSeen; });
    m_recent->setRowCount(static_cast<int>(shown));
    for (std::size_t i = 0; i < shown; ++i) {
        const Device& device = *offline[i];
        // QTableWidgetItem shows its text as plain text.
        m_recent->setItem(
            static_cast<int>(i), 0,
            new QTableWidgetItem(device.hostname.isEmpty() ? device.identity : device.hostname));
        m_recent->setItem(
            static_cast<int>(i), 1,
            new QTableWidgetItem(device.lastSeen.isValid() ? TimeText::local(device.lastSeen) : tr("never")));
    }
}

} // namespace breeze::console
