#pragma once

#include "DeviceCommands.h"
#include "DeviceInventory.h"
#include "DeviceSummary.h"
#include "widgets/InlineMessage.h"

#include <QWidget>
#include <optional>

class QLabel;
class QTabWidget;

namespace breeze::console {

class ConsoleConnection;
class DeviceCommandsTab;
class DeviceDetails;
class DeviceFactsPage;
class DeviceHeader;
class DeviceMetricsTab;
class DevicePatchesTab;
class DeviceProcessesTab;
class DeviceServicesTab;
class DeviceStorageTab;
class DeviceTablePage;

// One device in depth, a tab each: overview, hardware, disks, network, software (searchable), services,
// processes, users, patches, metrics charts over 1 h / 24 h / 7 d / 30 d, and the command history.
// Everything is plain text as the agent reported it. What a tab asks the device to do is said in that tab.
class DeviceView : public QWidget {
    Q_OBJECT

public:
    DeviceView(ConsoleConnection& connection, const QString& deviceId, QWidget* parent = nullptr);
    DevicePatchesTab* patchesTab() const { return m_patches; }
    DeviceHeader* header() const { return m_header; }
    DeviceCommandsTab* commandsTab() const { return m_commands; }

Q_SIGNALS:
    void runScriptRequested(const QStringList& deviceIds);
    void terminalRequested(const QString& deviceId);
    void filesRequested(const QString& deviceId);
    void desktopRequested(const QString& deviceId, bool viewOnly, bool record);

public:
    DeviceDetails& details() { return *m_details; }
    void showTab(const QString& name);

private:
    void addTabs();
    void addHeader();
    void followCommands();
    void runOnDevice(const DeviceCommand& command, const QString& tag, const QString& doing);
    void say(const QString& tag, InlineMessage::Kind kind, const QString& text);
    void showDevice(const DeviceSummary& device);
    void showInventory(const DeviceInventory& inventory);
    void showOverview();

    ConsoleConnection& m_connection;
    QString m_deviceId;
    DeviceDetails* m_details;
    QTabWidget* m_tabs;
    InlineMessage* m_problem;
    DeviceHeader* m_header;
    DeviceFactsPage* m_overview;
    DeviceFactsPage* m_hardware;
    DeviceStorageTab* m_storage;
    DeviceTablePage* m_interfaces;
    DeviceTablePage* m_software;
    DeviceServicesTab* m_services;
    DeviceProcessesTab* m_processes;
    DeviceTablePage* m_users;
    DevicePatchesTab* m_patches;
    DeviceMetricsTab* m_metrics;
    class DeviceSessionsTab* m_sessions;
    DeviceCommandsTab* m_commands;
    std::optional<DeviceSummary> m_device;
    QString m_kernel; // from the inventory, which may arrive before or after the device record
};

} // namespace breeze::console
