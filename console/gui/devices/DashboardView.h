#pragma once

#include "DeviceFilterModel.h"

#include <QSet>
#include <QWidget>

class QChartView;
class QGridLayout;
class QListWidget;
class QTableWidget;
class QTimer;
class QToolButton;

namespace breeze::console {

class DeviceTableModel;

// The fleet at a glance, for the scope chosen in the tree: tiles for online, offline, needing a reboot,
// disks over 90 %, patches missing or failed and scripts failed in the last day (each leads to the device
// list filtered to those devices), patch compliance, the operating systems, and which devices went offline
// most recently. It follows the device model live, redrawing at most twice a second however busy the fleet.
class DashboardView : public QWidget {
    Q_OBJECT

public:
    DashboardView(DeviceTableModel& devices, const DeviceFilterModel& scope, QWidget* parent = nullptr);
    void refresh();
    // The devices (of the scope) where a script failed or timed out in the last 24 hours.
    void setFailedScriptDevices(QSet<QString> deviceIds);
    const QSet<QString>& failedScriptDevices() const { return m_failedScripts; }
    // The number a tile shows ("12", "87 %"), for tests and screenshots.
    QString tileText(DeviceFilterModel::Condition condition) const;
    QString complianceText() const;
    QTableWidget* recentlyOffline() const { return m_recent; }
    QListWidget* systemsLegend() const { return m_legend; }
    QToolButton* tile(DeviceFilterModel::Condition condition) const;

Q_SIGNALS:
    void conditionChosen(breeze::console::DeviceFilterModel::Condition condition);
    void patchesRequested();
    void deviceOpened(const QString& deviceId);

protected:
    void changeEvent(QEvent* event) override;

private:
    QToolButton* addTile(const QString& caption, int row, int column);
    void showSystems(const QMap<QString, int>& systems);

    DeviceTableModel& m_devices;
    const DeviceFilterModel& m_scope;
    QGridLayout* m_tiles;
    QHash<int, QToolButton*> m_tileByCondition;
    QToolButton* m_compliance;
    QChartView* m_systems;
    QListWidget* m_legend;
    QTableWidget* m_recent;
    QTimer* m_throttle;
    QSet<QString> m_failedScripts;
};

} // namespace breeze::console
