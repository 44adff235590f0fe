#include "devices/DeviceView.h"

#include "ConsoleConnection.h"
#include "DeviceDetails.h"
#include "TableColumns.h"
#include "TimeText.h"
#include "devices/DeviceCommandsTab.h"
#include "devices/DeviceFactsPage.h"
#include "devices/DeviceHeader.h"
#include "devices/DeviceMetricsTab.h"
#include "devices/DevicePatchesTab.h"
#include "devices/DeviceProcessesTab.h"
#include "devices/DeviceServicesTab.h"
#include "devices/DeviceSessionsTab.h"
#include "devices/DeviceStorageTab.h"
#include "devices/DeviceTablePage.h"
#include "widgets/InlineMessage.h"
#include "widgets/PowerQuestion.h"
#include "widgets/WindowKeys.h"

#include <QLabel>
#include <QLocale>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace breeze::console {

DeviceView::DeviceView(ConsoleConnection& connection, const QString& deviceId, QWidget* parent)
    : QWidget(parent), m_connection(connection), m_deviceId(deviceId),
      m_details(new DeviceDetails(connection.api(), deviceId, this)), m_tabs(new QTabWidget(this)),
      m_problem(new InlineMessage(this)) {
    setWindowTitle(tr("Device"));
    closeOnEscapeAndCtrlW(this);
    addTabs();
    addHeader();
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_header);
    layout->addWidget(m_problem);
    layout->addWidget(m_tabs);
    followCommands();
    resize(1000, 650);

    connect(m_details, &DeviceDetails::deviceLoaded, this, &DeviceView::showDevice);
    connect(m_details, &DeviceDetails::inventoryLoaded, this, &DeviceView::showInventory);
    connect(m_details, &DeviceDetails::metricsLoaded, m_metrics, &DeviceMetricsTab::showSeries);
    connect(m_details, &DeviceDetails::commandsLoaded, m_commands, &DeviceCommandsTab::setCommands);
    connect(m_details, &DeviceDetails::failed, this, [this](const QString& what, const QString& message) {
        m_problem->showError(tr("Could not load %1: %2").arg(what, message));
    });
    // The command history follows the device's commands as they finish (at most once a second).
    auto* commandsMoved = new QTimer(this);
    commandsMoved->setSingleShot(true);
    commandsMoved->setInterval(1000);
    connect(commandsMoved, &QTimer::timeout, m_details, &DeviceDetails::loadCommands);
    connect(&connection.live(), &LiveChannel::deviceEvent, this,
            [this, commandsMoved](const QJsonObject& event) {
                if (isCommandEventFor(event, m_deviceId) && !commandsMoved->isActive())
                    commandsMoved->start();
            });
    connect(&connection.live(), &LiveChannel::metricSample, this, [this](const QJsonObject& json) {
        const LiveSample sample = LiveSample::fromJson(json);
        if (sample.deviceId != m_deviceId)
            return;
        m_storage->setUsage(sample.filesystems);
        m_metrics->addSample(sample);
    });
    // Live process listings go only to a device that is online.
    const auto followOnline = [this] {
        const Device* device = m_connection.devices().device(m_deviceId);
        m_processes->setDeviceOnline(device && device->online());
    };
    connect(&connection.devices(), &DeviceTableModel::countsChanged, this, followOnline);
    connect(&connection.devices(), &QAbstractItemModel::modelReset, this, followOnline);
    followOnline();
    m_details->loadAll();
}

void DeviceView::addHeader() {
    m_header = new DeviceHeader(m_connection.devices(), m_deviceId, this);
    connect(m_header, &DeviceHeader::terminalRequested, this,
            [this] { Q_EMIT terminalRequested(m_deviceId); });
    connect(m_header, &DeviceHeader::filesRequested, this, [this] { Q_EMIT filesRequested(m_deviceId); });
    connect(m_header, &DeviceHeader::desktopRequested, this,
            [this](bool viewOnly, bool record) { Q_EMIT desktopRequested(m_deviceId, viewOnly, record); });
    connect(m_header, &DeviceHeader::runScriptRequested, this,
            [this] { Q_EMIT runScriptRequested({m_deviceId}); });
    connect(m_header, &DeviceHeader::pingRequested, this,
            [this] { runOnDevice(DeviceCommand::ping(), "ping", tr("Pinging…")); });
    connect(m_header, &DeviceHeader::restartRequested, this, [this] {
        const QString name = m_device ? m_device->title() : m_deviceId;
        if (const auto delay = askPowerDelay(this, tr("Restart"), name))
            runOnDevice(DeviceCommand::restart(*delay), "restart", tr("Asking %1 to restart…").arg(name));
    });
}

void DeviceView::addTabs() {
    m_overview = new DeviceFactsPage(m_tabs);
    m_tabs->addTab(m_overview, tr("Overview"));
    m_hardware = new DeviceFactsPage(m_tabs);
    m_tabs->addTab(m_hardware, tr("Hardware"));
    m_storage = new DeviceStorageTab(m_tabs);
    m_tabs->addTab(m_storage, tr("Disks"));
    m_interfaces = new DeviceTablePage(TableColumns::interfaces(), false, nullptr, m_tabs);
    m_tabs->addTab(m_interfaces, tr("Network"));
    m_software = new DeviceTablePage(TableColumns::software(), true, nullptr, m_tabs);
    m_tabs->addTab(m_software, tr("Software"));
    m_services = new DeviceServicesTab(m_tabs);
    m_tabs->addTab(m_services, tr("Services"));
    m_processes = new DeviceProcessesTab(m_tabs);
    m_tabs->addTab(m_processes, tr("Processes"));
    m_users = new DeviceTablePage(TableColumns::localUsers(), true, nullptr, m_tabs);
    m_tabs->addTab(m_users, tr("Users"));
    // Updates: loaded when the tab is first opened (and after a scan or rollback from it).
    m_patches = new DevicePatchesTab(m_connection, m_deviceId, m_tabs);
    m_tabs->addTab(m_patches, tr("Patches"));
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        if (m_tabs->widget(index) == m_patches && m_patches->patches().rowCount() == 0)
            m_patches->reload();
    });
    m_metrics = new DeviceMetricsTab(m_tabs);
    m_tabs->addTab(m_metrics, tr("Metrics"));
    connect(m_metrics, &DeviceMetricsTab::rangeChosen, m_details, &DeviceDetails::loadMetrics);
    m_commands = new DeviceCommandsTab(m_connection.api(), m_tabs);
    m_tabs->addTab(m_commands, tr("Commands"));
    // Sessions: loaded whenever the tab is opened (they come and go while the window is open).
    m_sessions = new DeviceSessionsTab(m_connection.api(), m_deviceId, m_tabs);
    m_tabs->addTab(m_sessions, tr("Sessions"));
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        if (m_tabs->widget(index) == m_sessions)
            m_sessions->reload();
    });
    connect(m_commands, &DeviceCommandsTab::listingsShown, this, [this](bool shown) {
        m_details->setCommandListings(shown);
        m_details->loadCommands();
    });
    connect(m_services, &DeviceServicesTab::commandRequested, this, &DeviceView::runOnDevice);
    connect(m_processes, &DeviceProcessesTab::commandRequested, this, &DeviceView::runOnDevice);
}

// Outcomes of what this window asked the device to do.
void DeviceView::followCommands() {
    const QString own = "device-view:" + m_deviceId + ":";
    connect(&m_connection.commands(), &CommandRunner::refused, this,
            [this, own](const QString& tag, const QString& message) {
                if (tag.startsWith(own))
                    say(tag.mid(own.size()), InlineMessage::Kind::Error, tr("Not sent: %1").arg(message));
            });
    // Queued for a device that is offline: it runs when the device is back, and the tab says so.
    connect(&m_connection.commands(), &CommandRunner::queued, this,
            [this, own](const QString& tag, const QJsonObject&) {
                const Device* device = m_connection.devices().device(m_deviceId);
                const bool online =
                    device ? device->status == "online" : m_device && m_device->status == "online";
                if (tag.startsWith(own) && !online)
                    say(tag.mid(own.size()), InlineMessage::Kind::Warning,
                        tr("Queued: the device is offline; it runs when the device is back."));
            });
    connect(
        &m_connection.commands(), &CommandRunner::finished, this,
        [this, own](const QString& tag, const QJsonObject& command) {
            if (!tag.startsWith(own))
                return;
            const QString what = tag.mid(own.size());
            const CommandOutcome outcome = CommandOutcome::fromJson(command);
            if (what == "ping" && outcome.completed()) {
                say(what, InlineMessage::Kind::Success,
                    tr("Answered in %1 ms.").arg(pingRoundTripMs(command)));
            } else if (what == "processes" && outcome.completed()) {
                m_processes->showListing(outcome.output);
                say(what, InlineMessage::Kind::Information, tr("%1 processes.").arg(m_processes->count()));
            } else if (outcome.completed()) {
                say(what, InlineMessage::Kind::Success, tr("Done."));
                if (what == "kill")
                    runOnDevice(DeviceCommand::listProcesses(), "processes", tr("Refreshing the processes…"));
            } else {
                say(what, InlineMessage::Kind::Error,
                    tr("The device reported %1: %2").arg(outcome.status, outcome.message));
            }
            m_details->loadCommands();
        });
}

void DeviceView::runOnDevice(const DeviceCommand& command, const QString& tag, const QString& doing) {
    say(tag, InlineMessage::Kind::Information, doing);
    m_connection.commands().send(m_deviceId, command.type, command.args,
                                 "device-view:" + m_deviceId + ":" + tag);
}

// A command's news goes to the tab that asked for it, so none leaks into another.
void DeviceView::say(const QString& tag, InlineMessage::Kind kind, const QString& text) {
    if (tag == "service")
        m_services->say(kind, text);
    else if (tag == "ping" || tag == "restart")
        m_header->say(kind, text);
    else
        m_processes->say(kind, text); // "processes" and "kill"
}

void DeviceView::showDevice(const DeviceSummary& device) {
    m_device = device;
    m_header->setSummary(device);
    m_storage->setUsage(device.filesystemUsage);
    setWindowTitle(tr("%1 — Breeze").arg(device.title()));
    showOverview();
}

void DeviceView::showOverview() {
    const DeviceSummary& device = *m_device;
    m_overview->clear();
    m_overview->add(tr("Host name"), device.hostname);
    m_overview->add(tr("Status"), device.status);
    m_overview->add(tr("Operating system"), device.os);
    m_overview->add(tr("Platform"), device.platform + " " + device.arch);
    m_overview->add(tr("Address"), device.lastAddress);
    m_overview->add(tr("Agent version"), device.agentVersion);
    m_overview->add(tr("Last seen"), TimeText::local(device.lastSeen));
    m_overview->add(tr("Enrolled"), TimeText::local(device.enrolledAt));
    m_overview->add(tr("Machine identity"), device.identity);
    m_overview->add(tr("Device id"), device.id);
    if (!m_kernel.isEmpty())
        m_overview->add(tr("Kernel"), m_kernel);
}

void DeviceView::showInventory(const DeviceInventory& inventory) {
    if (!inventory.kernel.isEmpty() && m_kernel.isEmpty()) {
        m_kernel = inventory.kernel;
        if (m_device)
            m_overview->add(tr("Kernel"), m_kernel);
    }
    const auto& hw = inventory.hardware;
    m_hardware->clear();
    m_hardware->add(tr("Processor"), hw.cpuModel);
    m_hardware->add(tr("Cores / threads"), QString("%1 / %2").arg(hw.cpuCores).arg(hw.cpuThreads));
    m_hardware->add(tr("Memory"), hw.memoryBytes ? QLocale().formattedDataSize(*hw.memoryBytes) : QString());
    m_hardware->add(tr("Vendor"), hw.vendor);
    m_hardware->add(tr("Model"), hw.model);
    m_hardware->add(tr("Serial number"), hw.serial);
    m_hardware->add(tr("BIOS"), hw.bios);
    m_storage->setInventory(inventory.disks, inventory.filesystems);
    m_interfaces->setRows(inventory.interfaces);
    m_software->setRows(inventory.software);
    m_services->setServices(inventory.services, inventory.serviceStatesKnown);
    m_users->setRows(inventory.users);
}

void DeviceView::showTab(const QString& name) {
    for (int i = 0; i < m_tabs->count(); ++i)
        if (m_tabs->tabText(i).compare(name, Qt::CaseInsensitive) == 0)
            m_tabs->setCurrentIndex(i);
}

} // namespace breeze::console
