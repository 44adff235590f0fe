#include "devices/DeviceView.h"

#include "ConsoleConnection.h"
#include "DeviceDetails.h"
#include "FilesystemUsage.h"
#include "JsonTableModel.h"
#include "devices/DevicePatchesTab.h"
#include "widgets/InlineMessage.h"
#include "widgets/UsageBarDelegate.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QLocale>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>

namespace breeze::console {

namespace {
QLabel* plain(const QString& text, QWidget* parent) {
    auto* label = new QLabel(text, parent);
    label->setTextFormat(Qt::PlainText); // agent-reported: never rich text
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

QString bytes(const QJsonValue& value) {
    return value.isDouble() ? QLocale().formattedDataSize(static_cast<qint64>(value.toDouble())) : QString();
}
} // namespace

DeviceView::DeviceView(ConsoleConnection& connection, const QString& deviceId, QWidget* parent)
    : QWidget(parent), m_connection(connection), m_deviceId(deviceId) {
    setWindowTitle(tr("Device"));
    m_details = new DeviceDetails(connection.api(), deviceId, this);
    m_actionResult = new QLabel(this);
    m_actionResult->setTextFormat(Qt::PlainText);
    m_actionResult->setWordWrap(true);
    m_tabs = new QTabWidget(this);
    m_problem = new InlineMessage(this);

    auto* overview = new QWidget(m_tabs);
    m_overview = new QFormLayout(overview);
    m_tabs->addTab(overview, tr("Overview"));
    auto* hardware = new QWidget(m_tabs);
    m_hardware = new QFormLayout(hardware);
    m_tabs->addTab(hardware, tr("Hardware"));

    m_disks = new JsonTableModel({{"name", tr("Disk")},
                                  {"model", tr("Model")},
                                  {"size_bytes", tr("Size")},
                                  {"rotational", tr("Rotational")},
                                  {"serial", tr("Serial")}},
                                 this);
    m_filesystems = new JsonTableModel({{"mount", tr("Mount point")},
                                        {"used_percent", tr("Used")},
                                        {"used_bytes", tr("Used space")},
                                        {"total_bytes", tr("Size")},
                                        {"device", tr("Device")},
                                        {"fs_type", tr("Type")}},
                                       this);
    auto* storage = new QWidget(m_tabs);
    auto* storageLayout = new QVBoxLayout(storage);
    storageLayout->addWidget(tableTab(m_disks, false));
    QTableView* filesystemTable = nullptr;
    storageLayout->addWidget(tableTab(m_filesystems, false, &filesystemTable), 2);
    filesystemTable->setItemDelegateForColumn(1, new UsageBarDelegate(filesystemTable));
    m_tabs->addTab(storage, tr("Disks"));
    m_interfaces = new JsonTableModel({{"name", tr("Interface")},
                                       {"mac", tr("MAC")},
                                       {"addresses", tr("Addresses")},
                                       {"up", tr("Up")},
                                       {"mtu", tr("MTU")}},
                                      this);
    m_tabs->addTab(tableTab(m_interfaces, false), tr("Network"));
    m_software = new JsonTableModel({{"name", tr("Package")},
                                     {"version", tr("Version")},
                                     {"arch", tr("Architecture")},
                                     {"source", tr("Source")},
                                     {"size_bytes", tr("Size")},
                                     {"publisher", tr("Publisher")}},
                                    this);
    m_tabs->addTab(tableTab(m_software, true), tr("Software"));
    m_services = new JsonTableModel({{"name", tr("Service")},
                                     {"state", tr("State")},
                                     {"sub_state", tr("Sub-state")},
                                     {"enabled", tr("Enabled")},
                                     {"description", tr("Description")}},
                                    this);
    auto* serviceTools = new QWidget(this);
    auto* serviceButtons = new QHBoxLayout(serviceTools);
    serviceButtons->setContentsMargins(0, 0, 0, 0);
    for (const auto& [action, label] : {std::pair<QString, QString>{"start", tr("Start")},
                                        {"stop", tr("Stop")},
                                        {"restart", tr("Restart")}}) {
        auto* button = new QPushButton(label, serviceTools);
        connect(button, &QPushButton::clicked, this, [this, action = action] {
            const QJsonObject service = selected(m_serviceTable, m_services);
            if (service.isEmpty()) {
                m_actionResult->setText(tr("Choose a service first."));
                return;
            }
            const QString name = service.value("name").toString();
            runOnDevice("service_action", {{"name", name}, {"action", action}}, "service",
                        tr("%1 %2…").arg(action, name));
        });
        serviceButtons->addWidget(button);
    }
    serviceButtons->addStretch();
    m_tabs->addTab(tableTab(m_services, true, &m_serviceTable, serviceTools), tr("Services"));

    m_processes = new JsonTableModel({{"pid", tr("PID")},
                                      {"name", tr("Name")},
                                      {"user", tr("User")},
                                      {"cpu_seconds", tr("CPU s")},
                                      {"rss_bytes", tr("Memory")},
                                      {"state", tr("State")},
                                      {"command", tr("Command")}},
                                     this);
    auto* processTools = new QWidget(this);
    auto* processButtons = new QHBoxLayout(processTools);
    processButtons->setContentsMargins(0, 0, 0, 0);
    auto* refresh = new QPushButton(tr("Refresh"), processTools);
    connect(refresh, &QPushButton::clicked, this, [this] {
        runOnDevice("list_processes", {}, "processes", tr("Asking the device for its processes…"));
    });
    auto* kill = new QPushButton(tr("End process…"), processTools);
    connect(kill, &QPushButton::clicked, this, [this] {
        const QJsonObject process = selected(m_processTable, m_processes);
        if (process.isEmpty()) {
            m_actionResult->setText(tr("Choose a process first."));
            return;
        }
        const auto pid = process.value("pid").toInteger();
        QMessageBox ask(
            QMessageBox::Warning, tr("End process"),
            tr("End %1 (PID %2) on this device?").arg(process.value("name").toString(), QString::number(pid)),
            QMessageBox::NoButton, this);
        ask.setTextFormat(Qt::PlainText);
        auto* term = ask.addButton(tr("End (TERM)"), QMessageBox::AcceptRole);
        auto* hard = ask.addButton(tr("Kill (KILL)"), QMessageBox::DestructiveRole);
        ask.addButton(QMessageBox::Cancel);
        ask.exec();
        if (ask.clickedButton() != term && ask.clickedButton() != hard)
            return;
        runOnDevice("kill_process", {{"pid", pid}, {"signal", ask.clickedButton() == hard ? "KILL" : "TERM"}},
                    "kill", tr("Ending process %1…").arg(pid));
    });
    processButtons->addWidget(refresh);
    processButtons->addWidget(kill);
    processButtons->addStretch();
    m_tabs->addTab(tableTab(m_processes, true, &m_processTable, processTools), tr("Processes"));
    // The process list is asked for when the tab is first opened (it is a command on the device, not
    // inventory).
    connect(m_tabs, &QTabWidget::currentChanged, this, [this, refresh](int index) {
        if (m_tabs->tabText(index) == tr("Processes") && m_processes->rowCount() == 0 &&
            refresh->isEnabled()) {
            refresh->setEnabled(false);
            QTimer::singleShot(0, this, [refresh] {
                refresh->setEnabled(true);
                refresh->click();
            });
        }
    });
    m_users = new JsonTableModel({{"name", tr("User")},
                                  {"uid", tr("UID")},
                                  {"home", tr("Home")},
                                  {"shell", tr("Shell")},
                                  {"login", tr("Can log in")}},
                                 this);
    m_tabs->addTab(tableTab(m_users, true), tr("Users"));
    // Updates: loaded when the tab is first opened (and after a scan or rollback from it).
    m_patches = new DevicePatchesTab(connection, deviceId, m_tabs);
    m_tabs->addTab(m_patches, tr("Patches"));
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        if (m_tabs->widget(index) == m_patches && m_patches->patches().rowCount() == 0)
            m_patches->reload();
    });

    auto* metrics = new QWidget(m_tabs);
    auto* metricsLayout = new QVBoxLayout(metrics);
    m_range = new QComboBox(metrics);
    m_range->addItem(tr("Last hour"), "1h");
    m_range->addItem(tr("Last 24 hours"), "24h");
    m_range->addItem(tr("Last 7 days"), "7d");
    m_range->addItem(tr("Last 30 days"), "30d");
    connect(m_range, &QComboBox::currentIndexChanged, this,
            [this] { m_details->loadMetrics(m_range->currentData().toString()); });
    m_chart = new QChartView(metrics);
    m_chart->setRenderHint(QPainter::Antialiasing);
    metricsLayout->addWidget(m_range, 0, Qt::AlignLeft);
    metricsLayout->addWidget(m_chart, 3);
    m_network = new QChartView(metrics);
    m_network->setRenderHint(QPainter::Antialiasing);
    metricsLayout->addWidget(m_network, 2);
    m_tabs->addTab(metrics, tr("Metrics"));

    m_commands = new JsonTableModel({{"created_at", tr("Created")},
                                     {"type", tr("Command")},
                                     {"status", tr("Status")},
                                     {"exit_code", tr("Exit code")},
                                     {"requested_by", tr("By")},
                                     {"error", tr("Error")}},
                                    this);
    // The history, and below it what the selected command answered (plain text, as the agent sent it).
    QTableView* commandTable = nullptr;
    auto* commandsPage = new QWidget(m_tabs);
    auto* commandsLayout = new QVBoxLayout(commandsPage);
    commandsLayout->setContentsMargins(0, 0, 0, 0);
    commandsLayout->addWidget(tableTab(m_commands, true, &commandTable), 3);
    auto* output = new QPlainTextEdit(commandsPage);
    output->setReadOnly(true);
    output->setPlaceholderText(tr("Choose a command to see its output"));
    commandsLayout->addWidget(output, 2);
    connect(commandTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this, commandTable, output] {
                const QJsonObject command = selected(commandTable, m_commands);
                QString text = command.value("error").toString();
                const QJsonValue answer = command.value("output");
                if (answer.isObject())
                    text += (text.isEmpty() ? "" : "\n\n") +
                            QString::fromUtf8(QJsonDocument(answer.toObject()).toJson());
                output->setPlainText(text);
            });
    m_tabs->addTab(commandsPage, tr("Commands"));

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_problem);
    layout->addWidget(m_tabs);
    layout->addWidget(m_actionResult);

    // Outcomes of what this window asked the device to do.
    const QString own = "device-view:" + deviceId + ":";
    connect(&connection.commands(), &CommandRunner::refused, this,
            [this, own](const QString& tag, const QString& message) {
                if (tag.startsWith(own))
                    m_actionResult->setText(tr("Not sent: %1").arg(message));
            });
    connect(&connection.commands(), &CommandRunner::finished, this,
            [this, own](const QString& tag, const QJsonObject& command) {
                if (!tag.startsWith(own))
                    return;
                const QString what = tag.mid(own.size());
                const QString status = command.value("status").toString();
                if (what == "processes" && status == "completed") {
                    m_processes->setItems(command.value("output").toObject().value("processes").toArray());
                    m_actionResult->setText(tr("%1 processes.").arg(m_processes->rowCount()));
                } else if (status == "completed") {
                    m_actionResult->setText(tr("Done."));
                    if (what == "kill")
                        runOnDevice("list_processes", {}, "processes", tr("Refreshing the processes…"));
                } else {
                    m_actionResult->setText(
                        tr("The device reported %1: %2")
                            .arg(status, command.value("error").toString(
                                             command.value("output").toObject().value("output").toString())));
                }
                m_details->loadCommands();
            });
    resize(1000, 650);

    connect(m_details, &DeviceDetails::deviceLoaded, this, &DeviceView::showDevice);
    connect(m_details, &DeviceDetails::inventoryLoaded, this, &DeviceView::showInventory);
    connect(m_details, &DeviceDetails::metricsLoaded, this, &DeviceView::showMetrics);
    connect(m_details, &DeviceDetails::commandsLoaded, this,
            [this](const QJsonArray& commands) { m_commands->setItems(commands); });
    connect(m_details, &DeviceDetails::failed, this, [this](const QString& what, const QString& message) {
        m_problem->showError(tr("Could not load %1: %2").arg(what, message));
    });
    connect(&connection.live(), &LiveChannel::metricSample, this, &DeviceView::showSample);
    m_details->loadAll();
}

void DeviceView::runOnDevice(const QString& type, const QJsonObject& args, const QString& tag,
                             const QString& doing) {
    m_actionResult->setText(doing);
    m_connection.commands().send(m_deviceId, type, args, "device-view:" + m_deviceId + ":" + tag);
}

QJsonObject DeviceView::selected(QTableView* view, JsonTableModel* model) const {
    if (!view || !view->currentIndex().isValid())
        return {};
    auto* proxy = static_cast<QSortFilterProxyModel*>(view->model());
    const int row = proxy->mapToSource(view->currentIndex()).row();
    return row >= 0 && row < model->items().size() ? model->items()[row].toObject() : QJsonObject();
}

QWidget* DeviceView::tableTab(JsonTableModel* model, bool searchable, QTableView** view, QWidget* toolbar) {
    auto* page = new QWidget(m_tabs);
    auto* layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    if (toolbar)
        layout->addWidget(toolbar);
    auto* proxy = new QSortFilterProxyModel(page);
    proxy->setSourceModel(model);
    proxy->setFilterKeyColumn(0);
    proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    proxy->setSortRole(Qt::UserRole);
    if (searchable) {
        auto* search = new QLineEdit(page);
        search->setPlaceholderText(tr("Search"));
        search->setClearButtonEnabled(true);
        connect(search, &QLineEdit::textChanged, proxy, &QSortFilterProxyModel::setFilterFixedString);
        layout->addWidget(search);
    }
    auto* table = new QTableView(page);
    table->setModel(proxy);
    table->setSortingEnabled(true);
    table->sortByColumn(0, Qt::AscendingOrder);
    table->verticalHeader()->hide();
    table->horizontalHeader()->setStretchLastSection(true);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setWordWrap(false);
    connect(model, &QAbstractItemModel::modelReset, table, [table] { table->resizeColumnsToContents(); });
    if (view)
        *view = table;
    layout->addWidget(table);
    return page;
}

void DeviceView::addRow(QFormLayout* form, const QString& label, const QString& value) {
    form->addRow(label, plain(value, this));
}

void DeviceView::showDevice(const QJsonObject& device) {
    m_device = device;
    m_filesystemUsage = device.value("filesystems").toArray();
    m_filesystems->setItems(filesystemsWithUsage(m_inventoryFilesystems, m_filesystemUsage));
    const QString name = device.value("hostname").toString();
    setWindowTitle(tr("%1 — Breeze").arg(name.isEmpty() ? device.value("identity").toString() : name));
    while (m_overview->rowCount() > 0)
        m_overview->removeRow(0);
    addRow(m_overview, tr("Host name"), name);
    addRow(m_overview, tr("Status"), device.value("status").toString());
    addRow(m_overview, tr("Operating system"), device.value("os").toString());
    addRow(m_overview, tr("Platform"),
           device.value("platform").toString() + " " + device.value("arch").toString());
    addRow(m_overview, tr("Address"), device.value("last_address").toString());
    addRow(m_overview, tr("Agent version"), device.value("agent_version").toString());
    addRow(m_overview, tr("Last seen"),
           QDateTime::fromString(device.value("last_seen_at").toString(), Qt::ISODateWithMs)
               .toLocalTime()
               .toString("yyyy-MM-dd HH:mm:ss"));
    addRow(m_overview, tr("Enrolled"),
           QDateTime::fromString(device.value("enrolled_at").toString(), Qt::ISODateWithMs)
               .toLocalTime()
               .toString("yyyy-MM-dd HH:mm"));
    addRow(m_overview, tr("Machine identity"), device.value("identity").toString());
    addRow(m_overview, tr("Device id"), device.value("id").toString());
    if (!m_kernel.isEmpty())
        addRow(m_overview, tr("Kernel"), m_kernel);
}

void DeviceView::showInventory(const QJsonObject& sections) {
    const auto data = [&](const QString& section) {
        return sections.value(section).toObject().value("data");
    };
    const QJsonObject os = data("os").toObject();
    if (!os.isEmpty() && m_kernel.isEmpty()) {
        m_kernel = os.value("kernel").toString();
        if (!m_device.isEmpty())
            addRow(m_overview, tr("Kernel"), m_kernel);
    }
    const QJsonObject hw = data("hardware").toObject();
    while (m_hardware->rowCount() > 0)
        m_hardware->removeRow(0);
    addRow(m_hardware, tr("Processor"), hw.value("cpu_model").toString());
    addRow(m_hardware, tr("Cores / threads"),
           QString("%1 / %2").arg(hw.value("cpu_cores").toInt()).arg(hw.value("cpu_threads").toInt()));
    addRow(m_hardware, tr("Memory"), bytes(hw.value("memory_bytes")));
    addRow(m_hardware, tr("Vendor"), hw.value("vendor").toString());
    addRow(m_hardware, tr("Model"), hw.value("model").toString());
    addRow(m_hardware, tr("Serial number"), hw.value("serial").toString());
    addRow(m_hardware, tr("BIOS"),
           (hw.value("bios_vendor").toString() + " " + hw.value("bios_version").toString() + " " +
            hw.value("bios_date").toString())
               .trimmed());
    m_disks->setItems(data("disks").toArray());
    m_inventoryFilesystems = data("filesystems").toArray();
    m_filesystems->setItems(filesystemsWithUsage(m_inventoryFilesystems, m_filesystemUsage));
    m_interfaces->setItems(data("interfaces").toArray());
    m_software->setItems(data("software").toArray());
    m_services->setItems(data("services").toArray());
    m_users->setItems(data("users").toArray());
}

void DeviceView::showMetrics(const QString& range, const QString& resolution, const QJsonArray& points) {
    auto* chart = new QChart;
    chart->setTitle(tr("CPU, memory and fullest disk, %1").arg(m_range->currentText().toLower()));
    auto* cpu = new QLineSeries(chart);
    cpu->setName(tr("CPU %"));
    auto* memory = new QLineSeries(chart);
    memory->setName(tr("Memory %"));
    auto* disk = new QLineSeries(chart);
    disk->setName(tr("Disk %"));
    auto* time = new QDateTimeAxis(chart);
    auto* networkChart = new QChart;
    networkChart->setTitle(tr("Network, KiB/s (all interfaces but loopback)"));
    auto* received = new QLineSeries(networkChart);
    received->setName(tr("received"));
    auto* sent = new QLineSeries(networkChart);
    sent->setName(tr("sent"));
    double peak = 1;
    const bool hourly = resolution == "hourly";
    qint64 previousAt = 0;
    double previousRx = 0, previousTx = 0;
    for (const auto& value : points) {
        const QJsonObject point = value.toObject();
        const qint64 at =
            QDateTime::fromString(point.value("at").toString(), Qt::ISODateWithMs).toMSecsSinceEpoch();
        cpu->append(static_cast<qreal>(at), point.value(hourly ? "cpu_avg" : "cpu_percent").toDouble());
        const double total = point.value("memory_total").toDouble();
        const double used = point.value(hourly ? "memory_used_avg" : "memory_used").toDouble();
        memory->append(static_cast<qreal>(at), total > 0 ? 100.0 * used / total : 0.0);
        disk->append(static_cast<qreal>(at),
                     point.value(hourly ? "disk_used_percent_max" : "disk_used_percent").toDouble());
        // Raw samples carry counters (rates come from neighbours, a counter reset shows as nothing); rollups
        // carry bytes per hour.
        const double rx = point.value("net_rx_bytes").toDouble();
        const double tx = point.value("net_tx_bytes").toDouble();
        if (hourly) {
            received->append(static_cast<qreal>(at), rx / 3600.0 / 1024.0);
            sent->append(static_cast<qreal>(at), tx / 3600.0 / 1024.0);
            peak = std::max({peak, rx / 3600.0 / 1024.0, tx / 3600.0 / 1024.0});
        } else if (previousAt > 0 && at > previousAt && rx >= previousRx && tx >= previousTx) {
            const double seconds = static_cast<double>(at - previousAt) / 1000.0;
            const double in = (rx - previousRx) / seconds / 1024.0;
            const double out = (tx - previousTx) / seconds / 1024.0;
            received->append(static_cast<qreal>(at), in);
            sent->append(static_cast<qreal>(at), out);
            peak = std::max({peak, in, out});
        }
        previousAt = at;
        previousRx = rx;
        previousTx = tx;
    }
    chart->addSeries(cpu);
    chart->addSeries(memory);
    chart->addSeries(disk);
    // The last hour grows with each heartbeat while the window is open; longer ranges are rollups.
    m_liveCpu = range == "1h" ? cpu : nullptr;
    m_liveMemory = range == "1h" ? memory : nullptr;
    m_liveTime = range == "1h" ? time : nullptr;
    time->setFormat(range == "1h" || range == "24h" ? "HH:mm" : "MM-dd");
    auto* percent = new QValueAxis(chart);
    percent->setRange(0, 100);
    percent->setLabelFormat("%d");
    chart->addAxis(time, Qt::AlignBottom);
    chart->addAxis(percent, Qt::AlignLeft);
    for (auto* series : {cpu, memory, disk}) {
        series->attachAxis(time);
        series->attachAxis(percent);
    }
    networkChart->addSeries(received);
    networkChart->addSeries(sent);
    auto* networkTime = new QDateTimeAxis(networkChart);
    networkTime->setFormat(time->format());
    auto* rate = new QValueAxis(networkChart);
    rate->setRange(0, peak * 1.1);
    rate->setLabelFormat("%.0f");
    networkChart->addAxis(networkTime, Qt::AlignBottom);
    networkChart->addAxis(rate, Qt::AlignLeft);
    for (auto* series : {received, sent}) {
        series->attachAxis(networkTime);
        series->attachAxis(rate);
    }
    QChart* oldNetwork = m_network->chart();
    m_network->setChart(networkChart);
    delete oldNetwork;
    if (points.isEmpty())
        chart->setTitle(tr("No samples yet for this period"));
    QChart* old = m_chart->chart();
    m_chart->setChart(chart);
    delete old;
}

void DeviceView::showSample(const QJsonObject& sample) {
    if (sample.value("device_id").toString() != m_deviceId)
        return;
    m_filesystemUsage = sample.value("filesystems").toArray();
    m_filesystems->setItems(filesystemsWithUsage(m_inventoryFilesystems, m_filesystemUsage));
    if (!m_liveCpu || !m_liveMemory || !m_liveTime)
        return;
    // The agent's sampling time, as the stored series uses; the hour slides forward.
    const auto at = static_cast<qreal>(sample.value("sampled_at_ms").toDouble());
    m_liveCpu->append(at, sample.value("cpu_percent").toDouble());
    const double total = sample.value("memory_total").toDouble();
    m_liveMemory->append(at, total > 0 ? 100.0 * sample.value("memory_used").toDouble() / total : 0.0);
    const QDateTime newest = QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(at));
    m_liveTime->setRange(std::min(m_liveTime->min(), newest.addSecs(-3600)),
                         std::max(m_liveTime->max(), newest));
}

void DeviceView::showTab(const QString& name) {
    for (int i = 0; i < m_tabs->count(); ++i)
        if (m_tabs->tabText(i).compare(name, Qt::CaseInsensitive) == 0)
            m_tabs->setCurrentIndex(i);
}

} // namespace breeze::console
