#pragma once

#include "DesktopOptions.h"
#include "DeviceFilterModel.h"
#include "FleetScope.h"
#include "PaletteModel.h"
#include "RecordClient.h"
#include "ScriptClient.h"

#include <QHash>
#include <QMainWindow>
#include <QPointer>
#include <functional>

class QJsonObject;
class QLabel;
class QProgressBar;
class QPushButton;
class QLineEdit;
class QTableView;
class QTabWidget;
class QTreeView;
class QTimer;

namespace breeze::console {

class ConsoleConnection;
class AdministrationView;
class BulkDeviceUpdate;
class CommandPalette;
class DashboardView;
class DeviceView;
class InlineMessage;
class PatchesView;
class RemoteSessionsWindow;
class DesktopWindow;
class FileManagerView;
class TerminalView;
class RunMonitorWindow;
class SavedFilterMenu;
struct SavedFilter;
class ScriptRunMonitor;
class ScriptsView;

// The main window: a search box over the device table (host name, address, OS, status, tags), and a status
// bar that says how many devices are online and whether the live connection is up (with a countdown while it
// reconnects).
class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(ConsoleConnection& connection, QWidget* parent = nullptr);

    QTableView* deviceTable() const { return m_table; }
    QTreeView* fleetTree() const { return m_tree; }
    QLineEdit* searchField() const { return m_search; }
    void setSearch(const QString& text);
    // What the device list, dashboard, scripts, patches and status bar show; the tree follows.
    void setScope(const FleetScope& scope);
    // A dashboard tile's devices in the list (Any: every device of the scope).
    void showCondition(DeviceFilterModel::Condition condition);
    // A saved filter's scope, search and state, in the device list.
    void applyFilter(const SavedFilter& filter);
    SavedFilterMenu* savedFilters() const { return m_savedFilters; }
    FleetScope scope() const;
    QString search() const;
    // "dashboard", "devices", "scripts", "patches" or "administration".
    void showView(const QString& name);
    ScriptsView* scriptsView() const { return m_scripts; }
    PatchesView* patchesView() const { return m_patches; }
    // Opens the Run dialog for these devices (a script chosen in it).
    void runScriptOn(const QStringList& deviceIds);
    // Follows a run (the answer of POST …/runs) or one execution from the history in a window of its own.
    RunMonitorWindow* followRun(const QJsonObject& started);
    RunMonitorWindow* followExecution(const QJsonObject& execution);
    // Opens (or raises) the device's own window.
    DeviceView* openDevice(const QString& deviceId);
    // A terminal on the device in the remote sessions window: a new tab, or beside the terminal shown last.
    TerminalView* openTerminal(const QString& deviceId, bool beside = false);
    // The device's files in a window of their own (one per device).
    FileManagerView* openFiles(const QString& deviceId);
    // A window per device: one already open is brought to the front as it is.
    DesktopWindow* openDesktop(const QString& deviceId, const DesktopOptions& options = {});
    RemoteSessionsWindow* remoteSessions();
    // After sign-in: the terminals the console had open when it last quit, attached again.
    void restoreTerminals();
    // Applies a PATCH body to each device, with progress and a Stop button in the status bar.
    // The devices the list shows (scope, search, tile), with its shown columns in their order, as CSV.
    bool exportDevices(const QString& path);
    QList<int> shownColumns() const;
    BulkDeviceUpdate* changeDevices(const QStringList& deviceIds, const QJsonObject& change,
                                    const QString& what);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    QWidget* buildDeviceList();
    QWidget* buildConditionBar(QWidget* parent);
    QWidget* buildSavedFilters(QWidget* parent);
    void loadFailedScripts();
    void buildFleetTree();
    FleetScope scopeOfNode(const QModelIndex& node) const;
    void buildViews(QWidget* deviceList);
    void buildStatusBar();
    void buildMenus();
    void buildPalette();
    void showBulkMenu(const QPoint& at);
    void chooseColumns(const QPoint& at);
    void fitColumns();
    // Loads a view from the server the first time it is shown (`again`: also when it was, after sign-in).
    void loadOnFirstShow(QWidget* view, bool again);
    // The device counts of the scope the tree or the palette chose (every device when none).
    void showCounts();
    void explainEmptyList();
    QString scopeName() const;
    void showWhoIsSignedIn();
    RunMonitorWindow* openMonitor(const std::function<void(ScriptRunMonitor&)>& begin);
    // Tells the server which devices' heartbeats to stream: those with an open window (at most 50).
    void watchOpenDevices();

    ConsoleConnection& m_connection;
    RecordClient m_records; // answers arriving after the window is gone are dropped
    ScriptClient m_scriptClient;
    QLabel* m_conditionText;
    int m_failedRequest = 0;
    SavedFilterMenu* m_savedFilters;
    QLineEdit* m_search;
    QTableView* m_table;
    QTreeView* m_tree;
    QTabWidget* m_views;
    DashboardView* m_dashboard;
    AdministrationView* m_administration;
    ScriptsView* m_scripts;
    bool m_scriptsOpened = false;
    PatchesView* m_patches;
    bool m_patchesOpened = false;
    bool m_administrationOpened = false;
    PaletteModel* m_palette;
    CommandPalette* m_paletteDialog;
    void openPalette();
    QVector<PaletteModel::Entry> paletteEntries() const;
    void runAction(const QString& id);
    QVector<PaletteModel::Entry> m_scriptEntries;
    DeviceFilterModel* m_filter;
    QLabel* m_counts;
    QLabel* m_identity;
    InlineMessage* m_emptyList;
    QLabel* m_link;
    QProgressBar* m_bulkProgress;
    QPushButton* m_bulkCancel;
    QTimer* m_countdown;
    QTimer* m_scopeRecount;
    int m_secondsLeft = 0;
    bool m_columnsArranged = false;
    QString deviceName(const QString& deviceId) const;
    QHash<QString, QPointer<DeviceView>> m_deviceViews;
    QPointer<RemoteSessionsWindow> m_remote;
    QHash<QString, QPointer<FileManagerView>> m_fileViews;
    QHash<QString, QPointer<DesktopWindow>> m_desktops;
};

} // namespace breeze::console
