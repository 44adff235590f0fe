#include "devices/DashboardView.h"

#include "DeviceTableModel.h"
#include "TimeText.h"
#include "widgets/ChartLook.h"
#include "widgets/Colours.h"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QEvent>
#include <QGridLayout>
#include <QHeaderView>
#include <QListWidget>
#include <QMap>
#include <QPieSeries>
#include <QPixmap>
#include <QTableWidget>
#include <QTimer>
#include <QToolButton>
#include <algorithm>

namespace breeze::console {

namespace {
using Condition = DeviceFilterModel::Condition;
constexpr int kSystemsShown = 8; // the biggest by name; the rest together, so a mixed fleet stays readable
} // namespace

DashboardView::DashboardView(DeviceTableModel& devices, const DeviceFilterModel& scope, QWidget* parent)
    : QWidget(parent), m_devices(devices), m_scope(scope) {
    auto* grid = new QGridLayout(this);
    m_tiles = new QGridLayout;
    const std::pair<Condition, QString> tiles[] = {{Condition::Any, tr("devices")},
                                                   {Condition::Online, tr("online")},
                                                   {Condition::Offline, tr("offline")},
                                                   {Condition::NeedsReboot, tr("need a reboot")},
                                                   {Condition::DiskOver90, tr("disks over 90 %")},
                                                   {Condition::PatchesMissing, tr("missing patches")},
                                                   {Condition::PatchesFailed, tr("failed patches")},
                                                   {Condition::Listed, tr("scripts failed (24 h)")}};
    // Two rows of five, so that the dashboard fits a 1280-pixel screen beside the tree.
    constexpr int kPerRow = 5;
    int placed = 0;
    for (const auto& [condition, caption] : tiles) {
        QToolButton* button = addTile(caption, placed / kPerRow, placed % kPerRow);
        ++placed;
        m_tileByCondition.insert(static_cast<int>(condition), button);
        connect(button, &QToolButton::clicked, this,
                [this, chosen = condition] { Q_EMIT conditionChosen(chosen); });
    }
    m_compliance = addTile(tr("patch compliance"), placed / kPerRow, placed % kPerRow);
    m_compliance->setToolTip(tr("Scanned devices with no update missing or failed; opens Patches"));
    connect(m_compliance, &QToolButton::clicked, this, &DashboardView::patchesRequested);
    // The last place of the second row is kept for the open-alerts tile that monitoring will bring.
    grid->addLayout(m_tiles, 0, 0, 1, 3);

    m_systems = new QChartView(this);
    m_systems->setRenderHint(QPainter::Antialiasing);
    m_systems->setMinimumSize(300, 260);
    grid->addWidget(m_systems, 1, 0);
    // The legend is a list of its own: Qt Charts cuts long names ("Debian GNU/Linux…") to one width, so
    // different systems would read the same; a list shows each name whole, as plain text.
    m_legend = new QListWidget(this);
    m_legend->setSelectionMode(QAbstractItemView::NoSelection);
    m_legend->setFocusPolicy(Qt::NoFocus);
    m_legend->setMinimumWidth(240);
    m_legend->setWordWrap(true); // a long name wraps rather than being cut
    m_legend->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_legend->setTextElideMode(Qt::ElideNone);
    grid->addWidget(m_legend, 1, 1);
    m_recent = new QTableWidget(0, 2, this);
    m_recent->setHorizontalHeaderLabels({tr("Recently offline"), tr("Last seen")});
    m_recent->verticalHeader()->hide();
    m_recent->horizontalHeader()->setStretchLastSection(true);
    m_recent->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_recent->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_recent->setToolTip(tr("Double-click or Enter opens the device"));
    connect(m_recent, &QTableWidget::itemActivated, this, [this](QTableWidgetItem* item) {
        Q_EMIT deviceOpened(m_recent->item(item->row(), 0)->data(Qt::UserRole).toString());
    });
    grid->addWidget(m_recent, 1, 2);
    grid->setColumnStretch(0, 2);
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(2, 2);
    grid->setRowStretch(1, 1);

    m_throttle = new QTimer(this);
    m_throttle->setSingleShot(true);
    m_throttle->setInterval(500);
    connect(m_throttle, &QTimer::timeout, this, &DashboardView::refresh);
    const auto later = [this] {
        if (!m_throttle->isActive())
            m_throttle->start();
    };
    connect(&devices, &DeviceTableModel::countsChanged, this, later);
    connect(&devices, &QAbstractItemModel::dataChanged, this, later); // reboots, disks, patches
    connect(&devices, &QAbstractItemModel::modelReset, this,
            &DashboardView::refresh); // a fresh list: at once
    connect(&scope, &DeviceFilterModel::scopeChanged, this, &DashboardView::refresh);
    refresh();
}

QToolButton* DashboardView::addTile(const QString& caption, int row, int column) {
    auto* button = new QToolButton(this);
    button->setProperty("caption", caption);
    button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    button->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    button->setMinimumHeight(60);
    button->setAutoRaise(true);
    button->setCursor(Qt::PointingHandCursor);
    QFont large = button->font(); // a font, not a style sheet, so that the theme's colours keep applying
    large.setPointSizeF(large.pointSizeF() * 1.4);
    button->setFont(large);
    m_tiles->addWidget(button, row, column);
    return button;
}

QToolButton* DashboardView::tile(Condition condition) const {
    return m_tileByCondition.value(static_cast<int>(condition));
}

QString DashboardView::tileText(Condition condition) const {
    const QToolButton* button = tile(condition);
    return button ? button->text().section('\n', 0, 0) : QString();
}

QString DashboardView::complianceText() const {
    return m_compliance->text().section('\n', 0, 0);
}

void DashboardView::setFailedScriptDevices(QSet<QString> deviceIds) {
    m_failedScripts = std::move(deviceIds);
    refresh();
}

void DashboardView::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (changesLook(event))
        QTimer::singleShot(0, this, &DashboardView::refresh); // the chart and its legend's swatches alike
}

void DashboardView::refresh() {
    QMap<QString, int> systems;
    QHash<int, int> counts;
    int scanned = 0;
    int compliant = 0;
    // A revoked device will not come back: it is not offline, and not among the recently offline.
    std::vector<const Device*> offline;
    for (int row = 0; row < m_devices.rowCount(); ++row) {
        if (!m_scope.inScope(row))
            continue;
        const Device& device = m_devices.at(row);
        ++systems[device.os.isEmpty() ? tr("unknown") : device.os];
        for (auto it = m_tileByCondition.cbegin(); it != m_tileByCondition.cend(); ++it) {
            const auto condition = static_cast<Condition>(it.key());
            counts[it.key()] += condition == Condition::Listed ? m_failedScripts.contains(device.id)
                                                               : DeviceFilterModel::meets(device, condition);
        }
        if (device.patchesScanned && !device.revoked) {
            ++scanned;
            compliant += device.patchesMissing == 0 && device.patchesFailed == 0;
        }
        if (DeviceFilterModel::meets(device, Condition::Offline))
            offline.push_back(&device);
    }
    for (auto it = m_tileByCondition.cbegin(); it != m_tileByCondition.cend(); ++it)
        it.value()->setText(QString::number(counts.value(it.key())) + '\n' +
                            it.value()->property("caption").toString());
    // Devices offline draw the eye; the colour comes from the theme in use (refresh runs again on a change).
    QToolButton* offlineTile = m_tileByCondition.value(static_cast<int>(Condition::Offline));
    QPalette palette = QApplication::palette(offlineTile);
    if (counts.value(static_cast<int>(Condition::Offline)) > 0)
        palette.setColor(QPalette::ButtonText, colour(Colour::Warning));
    offlineTile->setPalette(palette);
    m_compliance->setText(
        (scanned == 0 ? tr("—") : QString("%1 %").arg(qRound(100.0 * compliant / scanned))) + '\n' +
        m_compliance->property("caption").toString());
    showSystems(systems);

    const std::size_t shown = std::min<std::size_t>(offline.size(), 20);
    std::partial_sort(offline.begin(), offline.begin() + static_cast<long>(shown), offline.end(),
                      [](const Device* a, const Device* b) { return a->lastSeen > b->lastSeen; });
    m_recent->setRowCount(static_cast<int>(shown));
    for (std::size_t i = 0; i < shown; ++i) {
        const Device& device = *offline[i];
        // QTableWidgetItem shows its text as plain text.
        auto* name = new QTableWidgetItem(device.hostname.isEmpty() ? device.identity : device.hostname);
        name->setData(Qt::UserRole, device.id);
        m_recent->setItem(static_cast<int>(i), 0, name);
        m_recent->setItem(
            static_cast<int>(i), 1,
            new QTableWidgetItem(device.lastSeen.isValid() ? TimeText::local(device.lastSeen) : tr("never")));
    }
}

void DashboardView::showSystems(const QMap<QString, int>& systems) {
    auto* chart = new QChart;
    chart->setTitle(tr("Operating systems"));
    chart->legend()->hide();
    auto* pie = new QPieSeries(chart);
    QList<QPair<int, QString>> ranked;
    for (auto it = systems.cbegin(); it != systems.cend(); ++it)
        ranked.append({it.value(), it.key()});
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    int others = 0;
    QStringList names;
    for (int i = 0; i < ranked.size(); ++i) {
        if (i < kSystemsShown) {
            pie->append(QString(), ranked[i].first); // named in the list beside, not on the chart
            names << QString("%1 (%2)").arg(ranked[i].second, QString::number(ranked[i].first));
        } else {
            others += ranked[i].first;
        }
    }
    if (others > 0) {
        pie->append(QString(), others);
        names << tr("others (%1)").arg(others);
    }
    chart->addSeries(pie);
    applyChartLook(chart);
    QChart* old = m_systems->chart();
    m_systems->setChart(chart);
    delete old;
    m_legend->clear();
    const auto slices = pie->slices();
    for (int i = 0; i < slices.size() && i < names.size(); ++i) {
        QPixmap swatch(12, 12);
        swatch.fill(slices[i]->brush().color());
        m_legend->addItem(new QListWidgetItem(QIcon(swatch), names[i])); // an agent's words, as plain text
    }
}

} // namespace breeze::console
