#pragma once

#include <QWidget>

class QChartView;
class QLabel;
class QTableWidget;
class QTimer;

namespace breeze::console {

class DeviceTableModel;

// The fleet at a glance: how many devices are online and offline, which operating systems they run, and which
// went offline most recently. It follows the device model live, redrawing at most twice a second however busy
// the fleet.
class DashboardView : public QWidget {
    Q_OBJECT

public:
    explicit DashboardView(DeviceTableModel& devices, QWidget* parent = nullptr);
    void refresh();

private:
    DeviceTableModel& m_devices;
    QLabel* m_online;
    QLabel* m_offline;
    QLabel* m_total;
    QChartView* m_systems;
    QTableWidget* m_recent;
    QTimer* m_throttle;
};

} // namespace breeze::console
