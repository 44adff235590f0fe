#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QPointer>
#include <QWidget>

class QChartView;
class QDateTimeAxis;
class QLineSeries;
class QComboBox;
class QFormLayout;
class QLabel;
class QTabWidget;
class QTableView;

namespace breeze::console {

class InlineMessage;

class DevicePatchesTab;

class ConsoleConnection;
class DeviceDetails;
class JsonTableModel;

// One device in depth: overview, hardware, disks, network, software (searchable), services, users, metrics
// charts over 1 h / 24 h / 7 d / 30 d, and the command history. Everything is plain text as the agent
// reported it.
class DeviceView : public QWidget {
    Q_OBJECT

public:
    DeviceView(ConsoleConnection& connection, const QString& deviceId, QWidget* parent = nullptr);
    DevicePatchesTab* patchesTab() const { return m_patches; }

    DeviceDetails& details() { return *m_details; }
    void showTab(const QString& name);

private:
    QWidget* tableTab(JsonTableModel* model, bool searchable, QTableView** view = nullptr,
                      QWidget* toolbar = nullptr);
    // The selected row's object in a table made by tableTab.
    QJsonObject selected(QTableView* view, JsonTableModel* model) const;
    void runOnDevice(const QString& type, const QJsonObject& args, const QString& tag, const QString& doing);
    void showDevice(const QJsonObject& device);
    void showInventory(const QJsonObject& sections);
    void showMetrics(const QString& range, const QString& resolution, const QJsonArray& points);
    // A heartbeat of this device from the live channel (the main window watches open devices).
    void showSample(const QJsonObject& sample);
    void addRow(QFormLayout* form, const QString& label, const QString& value);

    DeviceDetails* m_details;
    QTabWidget* m_tabs;
    QFormLayout* m_overview;
    QFormLayout* m_hardware;
    InlineMessage* m_problem;
    JsonTableModel* m_disks;
    JsonTableModel* m_filesystems;
    JsonTableModel* m_interfaces;
    JsonTableModel* m_software;
    JsonTableModel* m_services;
    DevicePatchesTab* m_patches = nullptr;
    JsonTableModel* m_users;
    JsonTableModel* m_commands;
    JsonTableModel* m_processes;
    QTableView* m_serviceTable = nullptr;
    QTableView* m_processTable = nullptr;
    QLabel* m_actionResult;
    ConsoleConnection& m_connection;
    QString m_deviceId;
    QComboBox* m_range;
    QChartView* m_chart;
    QChartView* m_network;
    QJsonObject m_device;
    QString m_kernel; // from the inventory, which may arrive before or after the device record
    QJsonArray m_inventoryFilesystems;
    QJsonArray m_filesystemUsage; // the latest heartbeat's
    QPointer<QLineSeries> m_liveCpu;
    QPointer<QLineSeries> m_liveMemory;
    QPointer<QDateTimeAxis> m_liveTime;
};

} // namespace breeze::console
