#include "shell/MainWindow.h"

#include "BulkDeviceUpdate.h"
#include "ConsoleConnection.h"
#include "DeviceCommands.h"
#include "DeviceFilterModel.h"
#include "PaletteModel.h"
#include "RecordClient.h"
#include "ScriptRunMonitor.h"
#include "TableCsv.h"
#include "administration/AdministrationView.h"
#include "devices/DashboardView.h"
#include "devices/DeviceBulkMenu.h"
#include "devices/DeviceView.h"
#include "devices/SavedFilterMenu.h"
#include "patches/PatchesView.h"
#include "remote/DesktopWindow.h"
#include "remote/FileManagerView.h"
#include "remote/RemoteSessionsWindow.h"
#include "remote/TerminalView.h"
#include "scripts/RunMonitorWindow.h"
#include "scripts/RunScriptDialog.h"
#include "scripts/ScriptSchedulesPanel.h"
#include "scripts/ScriptsView.h"
#include "shell/CommandPalette.h"
#include "shell/Theme.h"
#include "widgets/InlineMessage.h"
#include "widgets/KeyboardPaths.h"
#include "widgets/StatusDelegate.h"

#include <QActionGroup>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QShortcut>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace breeze::console {

MainWindow::MainWindow(ConsoleConnection& connection, QWidget* parent)
    : QMainWindow(parent), m_connection(connection), m_records(connection.api()),
      m_scriptClient(connection.api()) {
    setWindowTitle(tr("Breeze — %1").arg(connection.api().server().host()));
    QWidget* deviceList = buildDeviceList();
    buildFleetTree();
    buildViews(deviceList);
    auto* splitter = new QSplitter(this);
    splitter->addWidget(m_tree);
    splitter->addWidget(m_views);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({260, 840});
    auto* outer = new QWidget(this);
    auto* outerLayout = new QVBoxLayout(outer);
    outerLayout->addWidget(splitter);
    setCentralWidget(outer);
    buildStatusBar();
    buildMenus();
    buildPalette();
    showCounts();

    QSettings settings;
    restoreGeometry(settings.value("main/geometry").toByteArray());
    m_columnsArranged =
        m_table->horizontalHeader()->restoreState(settings.value("main/device-columns").toByteArray());
    resize(settings.contains("main/geometry") ? size() : QSize(1100, 650));
}

// The Devices tab: a search box over the device table, with a context menu for the selected devices.
QWidget* MainWindow::buildDeviceList() {
    auto* central = new QWidget(this);
    m_search = new QLineEdit(central);
    m_search->setPlaceholderText(tr("Search host name, address, operating system, status or tag"));
    m_search->setClearButtonEnabled(true);
    m_filter = new DeviceFilterModel(m_connection.devices(), this);
    connect(m_search, &QLineEdit::textChanged, m_filter, &DeviceFilterModel::setSearch);
    m_table = new QTableView(central);
    m_table->setModel(m_filter);
    m_table->setItemDelegateForColumn(DeviceTableModel::Status, new StatusDelegate(m_table));
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(DeviceTableModel::Hostname, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    // Right-click on the header chooses the columns.
    m_table->horizontalHeader()->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_table->horizontalHeader(), &QWidget::customContextMenuRequested, this,
            [this](const QPoint& at) { chooseColumns(m_table->horizontalHeader()->mapToGlobal(at)); });
    for (const int hidden : {DeviceTableModel::Address, DeviceTableModel::Memory})
        m_table->setColumnHidden(hidden, true);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    // Commands and changes for every selected device at once.
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_table, &QWidget::customContextMenuRequested, this, &MainWindow::showBulkMenu);
    openContextMenuFromKeyboard(m_table);
    downArrowInto(m_search, m_table);
    connect(&m_connection.commands(), &CommandRunner::refused, this,
            [this](const QString& tag, const QString& message) {
                if (tag == "bulk")
                    statusBar()->showMessage(tr("A command was not sent: %1").arg(message), 10000);
            });
    // Double-click or Enter on a device opens its window.
    connect(m_table, &QTableView::activated, this, [this](const QModelIndex& index) {
        openDevice(index.data(DeviceTableModel::DeviceIdRole).toString());
    });
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* searchRow = new QHBoxLayout;
    searchRow->addWidget(m_search, 1);
    searchRow->addWidget(buildSavedFilters(central));
    layout->addLayout(searchRow);
    layout->addWidget(buildConditionBar(central));
    layout->addWidget(m_table);
    // An empty list says why: nothing matches the search, or the scope holds no devices.
    m_emptyList = new InlineMessage(central);
    layout->addWidget(m_emptyList);
    connect(m_filter, &QAbstractItemModel::modelReset, this, &MainWindow::explainEmptyList);
    connect(m_filter, &QAbstractItemModel::layoutChanged, this, &MainWindow::explainEmptyList);
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, &MainWindow::explainEmptyList);
    connect(m_filter, &QAbstractItemModel::rowsRemoved, this, &MainWindow::explainEmptyList);
    connect(m_filter, &DeviceFilterModel::scopeChanged, this, &MainWindow::explainEmptyList);
    return central;
}

// Named filters of the technician's own, kept on the server: search, state and scope in one choice.
QWidget* MainWindow::buildSavedFilters(QWidget* parent) {
    m_savedFilters = new SavedFilterMenu(
        m_connection.api(),
        [this] {
            return SavedFilter{{}, {}, m_search->text(), m_filter->condition(), m_filter->scope()};
        },
        this);
    auto* button = new QToolButton(parent);
    button->setText(tr("Saved filters"));
    button->setMenu(m_savedFilters);
    button->setPopupMode(QToolButton::InstantPopup);
    connect(m_savedFilters, &SavedFilterMenu::chosen, this, &MainWindow::applyFilter);
    connect(m_savedFilters, &SavedFilterMenu::status, this,
            [this](const QString& message) { statusBar()->showMessage(message, 10000); });
    connect(&m_connection.session(), &SignInSession::signedInChanged, this, [this](bool signedIn) {
        if (signedIn)
            m_savedFilters->reload();
    });
    return button;
}

void MainWindow::applyFilter(const SavedFilter& filter) {
    setScope(filter.scope);
    m_search->setText(filter.search);
    if (filter.condition != DeviceFilterModel::Condition::Listed) {
        m_filter->setCondition(filter.condition);
    } else {
        const int request = ++m_failedRequest;
        m_scriptClient.failedDevices(
            filter.scope, 24, [this, request](const QSet<QString>& devices, const QString&) {
                if (request == m_failedRequest)
                    m_filter->setCondition(DeviceFilterModel::Condition::Listed, devices);
            });
    }
    showView("devices");
}

// Shown while a dashboard tile narrows the list: what it shows, and a way back to every device.
QWidget* MainWindow::buildConditionBar(QWidget* parent) {
    auto* bar = new QWidget(parent);
    auto* row = new QHBoxLayout(bar);
    row->setContentsMargins(0, 0, 0, 0);
    m_conditionText = new QLabel(bar);
    m_conditionText->setTextFormat(Qt::PlainText);
    auto* all = new QPushButton(tr("Show all devices"), bar);
    row->addWidget(m_conditionText, 1);
    row->addWidget(all);
    bar->hide();
    connect(all, &QPushButton::clicked, this,
            [this] { m_filter->setCondition(DeviceFilterModel::Condition::Any); });
    connect(m_filter, &DeviceFilterModel::conditionChanged, this, [this, bar] {
        using Condition = DeviceFilterModel::Condition;
        const QMap<Condition, QString> names{
            {Condition::Online, tr("Showing only devices that are online.")},
            {Condition::Offline, tr("Showing only devices that are offline.")},
            {Condition::NeedsReboot, tr("Showing only devices that need a reboot.")},
            {Condition::DiskOver90, tr("Showing only devices with a disk over 90 % full.")},
            {Condition::PatchesMissing, tr("Showing only devices with missing patches.")},
            {Condition::PatchesFailed, tr("Showing only devices with failed patches.")},
            {Condition::Listed, tr("Showing only devices where a script failed in the last 24 hours.")}};
        m_conditionText->setText(names.value(m_filter->condition()));
        bar->setVisible(m_filter->condition() != Condition::Any);
        explainEmptyList();
    });
    return bar;
}

void MainWindow::chooseColumns(const QPoint& at) {
    QMenu menu(this);
    menu.addSection(tr("Columns"));
    QHeaderView* header = m_table->horizontalHeader();
    for (int column = 0; column < DeviceTableModel::ColumnCount; ++column) {
        QAction* action =
            menu.addAction(m_connection.devices().headerData(column, Qt::Horizontal).toString());
        action->setCheckable(true);
        action->setChecked(!header->isSectionHidden(column));
        action->setEnabled(column != DeviceTableModel::Hostname); // a row needs its name
        connect(action, &QAction::toggled, this, [this, column](bool shown) {
            m_table->setColumnHidden(column, !shown);
            if (shown)
                m_table->resizeColumnToContents(column);
        });
    }
    menu.addSeparator();
    menu.addAction(tr("Fit columns to their contents"), this, [this] { fitColumns(); });
    menu.exec(at);
}

// Widths from what the rows hold (the header samples rows, so this stays cheap for big fleets), and never
// narrower than the longest status, which a sample may miss.
void MainWindow::fitColumns() {
    m_table->resizeColumnsToContents();
    const int status = m_table->fontMetrics().horizontalAdvance(tr("online, takeover requested")) + 24;
    m_table->setColumnWidth(DeviceTableModel::Status,
                            std::max(m_table->columnWidth(DeviceTableModel::Status), status));
    for (int column = 0; column < DeviceTableModel::ColumnCount; ++column)
        m_table->setColumnWidth(column, std::min(m_table->columnWidth(column), 320));
}

QList<int> MainWindow::shownColumns() const {
    QList<int> columns;
    const QHeaderView* header = m_table->horizontalHeader();
    for (int visual = 0; visual < header->count(); ++visual) {
        const int column = header->logicalIndex(visual);
        if (!header->isSectionHidden(column))
            columns << column;
    }
    return columns;
}

bool MainWindow::exportDevices(const QString& path) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(tableCsv(*m_filter, shownColumns())) < 0 ||
        !file.commit()) {
        statusBar()->showMessage(tr("Could not write %1: %2").arg(path, file.errorString()), 10000);
        return false;
    }
    statusBar()->showMessage(tr("Exported %n device(s) to %1", nullptr, m_filter->rowCount()).arg(path),
                             10000);
    return true;
}

void MainWindow::showBulkMenu(const QPoint& at) {
    QStringList ids;
    for (const QModelIndex& index : m_table->selectionModel()->selectedRows())
        ids << index.data(DeviceTableModel::DeviceIdRole).toString();
    if (ids.isEmpty())
        return;
    DeviceBulkMenu menu(m_connection, ids, this);
    connect(&menu, &DeviceBulkMenu::status, this,
            [this](const QString& message) { statusBar()->showMessage(message, 10000); });
    connect(&menu, &DeviceBulkMenu::changeRequested, this, &MainWindow::changeDevices);
    connect(&menu, &DeviceBulkMenu::openRequested, this, &MainWindow::openDevice);
    connect(&menu, &DeviceBulkMenu::runScriptRequested, this, &MainWindow::runScriptOn);
    connect(&menu, &DeviceBulkMenu::terminalRequested, this,
            [this](const QString& id, bool beside) { openTerminal(id, beside); });
    menu.exec(m_table->viewport()->mapToGlobal(at));
}

// Left: organisations, sites and groups with their counts; choosing one narrows the table to it.
void MainWindow::buildFleetTree() {
    m_tree = new QTreeView(this);
    m_tree->setModel(&m_connection.tree());
    m_tree->setHeaderHidden(true);
    m_tree->setUniformRowHeights(true); // cheap for sites with thousands of devices
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& current) { setScope(scopeOfNode(current)); });
    // The tree is rebuilt when organisations, sites or groups change: the chosen node is chosen again at
    // once (the view and its selection model were connected first, so they have already reset), so no one
    // ever sees the tree without the chosen node.
    connect(&m_connection.tree(), &QAbstractItemModel::modelReset, this, [this] {
        const QModelIndex node = m_connection.tree().indexFor(m_filter->scope());
        if (node.isValid())
            m_tree->setCurrentIndex(node);
    });
    // Choosing an organisation or site in the tree shows its devices.
    connect(m_tree, &QTreeView::clicked, this, [this] { m_views->setCurrentIndex(1); });
}

// The views: dashboard, devices, scripts, patches and administration. Those that load from the server do so
// when first shown after sign-in.
void MainWindow::buildViews(QWidget* deviceList) {
    m_views = new QTabWidget(this);
    m_dashboard = new DashboardView(m_connection.devices(), *m_filter, m_views);
    m_views->addTab(m_dashboard, tr("Dashboard"));
    connect(m_dashboard, &DashboardView::conditionChosen, this, &MainWindow::showCondition);
    connect(m_dashboard, &DashboardView::patchesRequested, this, [this] { showView("patches"); });
    connect(m_dashboard, &DashboardView::deviceOpened, this, &MainWindow::openDevice);
    // Scripts that failed in the last day: asked when the dashboard is shown or the scope changes, and
    // every minute while it is shown.
    auto* failedScripts = new QTimer(this);
    failedScripts->setInterval(60000);
    connect(failedScripts, &QTimer::timeout, this, [this] {
        if (m_dashboard->isVisible())
            loadFailedScripts();
    });
    failedScripts->start();
    connect(m_filter, &DeviceFilterModel::scopeChanged, this, [this] {
        if (m_dashboard->isVisible())
            loadFailedScripts();
    });
    m_views->addTab(deviceList, tr("Devices"));
    m_scripts = new ScriptsView(m_connection, m_views);
    m_views->addTab(m_scripts, tr("Scripts"));
    connect(m_scripts, &ScriptsView::runStarted, this, &MainWindow::followRun);
    connect(m_scripts, &ScriptsView::executionOpened, this, &MainWindow::followExecution);
    m_patches = new PatchesView(m_connection, m_views);
    m_views->addTab(m_patches, tr("Patches"));
    m_administration = new AdministrationView(m_connection.api(), m_views);
    m_views->addTab(m_administration, tr("Administration"));
    connect(&m_connection.live(), &LiveChannel::tenancyChanged, m_administration,
            &AdministrationView::recordsChanged);
    // A view shown before sign-in loads once signed in.
    connect(&m_connection.session(), &SignInSession::signedInChanged, this, [this](bool signedIn) {
        if (signedIn)
            loadOnFirstShow(m_views->currentWidget(), true);
    });
    connect(m_views, &QTabWidget::currentChanged, this, [this](int index) {
        if (m_connection.session().signedIn())
            loadOnFirstShow(m_views->widget(index), false);
    });
    m_views->setCurrentIndex(1);
}

void MainWindow::loadFailedScripts() {
    const int request = ++m_failedRequest; // an answer about an earlier scope is dropped
    m_scriptClient.failedDevices(m_filter->scope(), 24,
                                 [this, request](const QSet<QString>& devices, const QString&) {
                                     if (request == m_failedRequest)
                                         m_dashboard->setFailedScriptDevices(devices); // refused: none
                                 });
}

void MainWindow::showCondition(DeviceFilterModel::Condition condition) {
    ++m_failedRequest; // a saved filter's late answer does not undo this choice
    m_filter->setCondition(condition, condition == DeviceFilterModel::Condition::Listed
                                          ? m_dashboard->failedScriptDevices()
                                          : QSet<QString>());
    showView("devices");
}

FleetScope MainWindow::scopeOfNode(const QModelIndex& node) const {
    const auto kind = static_cast<FleetTreeModel::Kind>(node.data(FleetTreeModel::KindRole).toInt());
    const QString id = node.data(FleetTreeModel::IdRole).toString();
    switch (node.isValid() ? kind : FleetTreeModel::Kind::Partner) {
    case FleetTreeModel::Kind::Organisation:
        return {id, {}, {}};
    case FleetTreeModel::Kind::Site:
        return {node.parent().data(FleetTreeModel::IdRole).toString(), id, {}};
    case FleetTreeModel::Kind::Group:
        return {node.parent().parent().data(FleetTreeModel::IdRole).toString(),
                node.data(FleetTreeModel::SiteIdRole).toString(), id};
    case FleetTreeModel::Kind::Device:
        return scopeOfNode(node.parent()); // a device leaf: the place it sits in
    case FleetTreeModel::Kind::Partner:
        break;
    }
    return {};
}

void MainWindow::setScope(const FleetScope& scope) {
    m_filter->setScope(scope);
    m_patches->setScope(scope);
    m_scripts->setScope(scope);
    // The tree shows where the technician is, however the scope was chosen (tree, palette, saved filter).
    const QModelIndex node = m_connection.tree().indexFor(scope);
    if (node.isValid() && m_tree->currentIndex() != node && scopeOfNode(m_tree->currentIndex()) != scope)
        m_tree->setCurrentIndex(node);
}

FleetScope MainWindow::scope() const {
    return m_filter->scope();
}

void MainWindow::loadOnFirstShow(QWidget* view, bool again) {
    if (view == m_dashboard)
        loadFailedScripts();
    if (view == m_patches && (again || !m_patchesOpened)) {
        m_patchesOpened = true;
        m_patches->reload();
    } else if (view == m_scripts && (again || !m_scriptsOpened)) {
        m_scriptsOpened = true;
        m_scripts->reload();
    } else if (view == m_administration && (again || !m_administrationOpened)) {
        m_administrationOpened = true;
        m_administration->loadCurrent();
    }
}

// The status bar: device counts, a bulk change's progress with Stop, and the live channel's state (with a
// countdown while it reconnects).
void MainWindow::buildStatusBar() {
    m_counts = new QLabel(this);
    m_counts->setTextFormat(Qt::PlainText);
    m_identity = new QLabel(this);
    m_identity->setTextFormat(Qt::PlainText);
    m_link = new QLabel(this);
    m_link->setTextFormat(Qt::PlainText);
    statusBar()->addWidget(m_counts, 1);
    m_bulkProgress = new QProgressBar(this);
    m_bulkProgress->setMaximumWidth(200);
    m_bulkProgress->setFormat(tr("%v of %m"));
    m_bulkCancel = new QPushButton(tr("Stop"), this);
    m_bulkProgress->hide();
    m_bulkCancel->hide();
    statusBar()->addPermanentWidget(m_bulkProgress);
    statusBar()->addPermanentWidget(m_bulkCancel);
    statusBar()->addPermanentWidget(m_identity);
    statusBar()->addPermanentWidget(m_link);
    connect(&m_connection.session(), &SignInSession::signedInChanged, this, [this](bool signedIn) {
        if (signedIn)
            showWhoIsSignedIn();
        else
            m_identity->clear();
    });
    connect(m_filter, &DeviceFilterModel::scopeChanged, this, &MainWindow::showCounts);
    m_countdown = new QTimer(this);
    m_countdown->setInterval(1000);
    connect(m_countdown, &QTimer::timeout, this, [this] {
        m_secondsLeft = std::max(0, m_secondsLeft - 1);
        m_link->setText(tr("Disconnected — reconnecting in %1 s").arg(m_secondsLeft));
    });
    // The whole fleet's counts are kept by the model; a scope's are counted over every device, so live
    // events recount them at most four times a second, not once per event.
    m_scopeRecount = new QTimer(this);
    m_scopeRecount->setSingleShot(true);
    m_scopeRecount->setInterval(250);
    connect(m_scopeRecount, &QTimer::timeout, this, &MainWindow::showCounts);
    const auto countsMoved = [this] {
        if (!m_filter->scoped())
            showCounts();
        else if (!m_scopeRecount->isActive())
            m_scopeRecount->start();
    };
    connect(&m_connection.devices(), &DeviceTableModel::countsChanged, this, countsMoved);
    connect(&m_connection.devices(), &QAbstractItemModel::modelReset, this, countsMoved);
    connect(&m_connection.directory(), &DeviceDirectory::progress, this,
            [this](int loaded) { m_counts->setText(tr("Loading devices… %1").arg(loaded)); });
    connect(&m_connection.directory(), &DeviceDirectory::loaded, this, [this] {
        m_tree->expandToDepth(1);
        // Fit the columns to what arrived, once (the header samples rows, so this stays cheap for big
        // fleets); a layout the technician arranged is kept.
        if (!m_columnsArranged)
            fitColumns();
        m_columnsArranged = true;
    });
    connect(&m_connection.directory(), &DeviceDirectory::failed, this, [this](const QString& message) {
        m_counts->setText(tr("Could not load devices: %1").arg(message));
    });
    connect(&m_connection.live(), &LiveChannel::stateChanged, this, [this](LiveChannel::State state) {
        m_countdown->stop();
        switch (state) {
        case LiveChannel::State::Connected:
            m_link->setText(tr("Live"));
            break;
        case LiveChannel::State::Connecting:
            m_link->setText(tr("Connecting…"));
            break;
        case LiveChannel::State::Disconnected:
            m_link->setText(tr("Disconnected"));
            break;
        }
    });
    connect(&m_connection.live(), &LiveChannel::reconnectScheduled, this, [this](int seconds) {
        m_secondsLeft = seconds;
        m_link->setText(tr("Disconnected — reconnecting in %1 s").arg(seconds));
        m_countdown->start();
    });
    m_link->setText(tr("Not connected"));
}

// Menus: every action also has a shortcut or sits in the palette.
void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("Reload devices"), QKeySequence::Refresh, this,
                    [this] { m_connection.directory().reload(); });
    file->addAction(tr("Export device list as CSV…"), QKeySequence(tr("Ctrl+Shift+E")), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export device list"), "devices.csv",
                                                          tr("CSV files (*.csv)"));
        if (!path.isEmpty())
            exportDevices(path);
    });
    file->addSeparator();
    file->addAction(tr("Quit"), QKeySequence::Quit, this, &QWidget::close);
    QMenu* viewMenu = menuBar()->addMenu(tr("&View"));
    // Ctrl+1…5 in the order the tabs stand.
    const std::pair<QString, QString> views[] = {{"dashboard", tr("Dashboard")},
                                                 {"devices", tr("Devices")},
                                                 {"scripts", tr("Scripts")},
                                                 {"patches", tr("Patches")},
                                                 {"administration", tr("Administration")}};
    int number = 0;
    for (const auto& [name, label] : views)
        viewMenu->addAction(label, QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + number++)), this,
                            [this, view = name] { showView(view); });
    // Ctrl+K from every window of the console (device and run windows too).
    QAction* goTo =
        viewMenu->addAction(tr("Go to…"), QKeySequence(tr("Ctrl+K")), this, [this] { openPalette(); });
    goTo->setShortcutContext(Qt::ApplicationShortcut);
    QMenu* themes = viewMenu->addMenu(tr("Theme"));
    auto* themeGroup = new QActionGroup(this);
    for (const auto& [name, label] : {std::pair<QString, QString>{"system", tr("System")},
                                      {"light", tr("Light")},
                                      {"dark", tr("Dark")}}) {
        QAction* action = themes->addAction(label, this, [name = name] { Theme::apply(name); });
        action->setCheckable(true);
        action->setChecked(Theme::current() == name);
        themeGroup->addAction(action);
    }
}

void MainWindow::buildPalette() {
    m_palette = new PaletteModel(this);
    m_paletteDialog = new CommandPalette(*m_palette, this);
    connect(new QShortcut(QKeySequence::Find, this), &QShortcut::activated, this, [this] {
        showView("devices");
        m_search->setFocus();
        m_search->selectAll();
    });
    connect(m_paletteDialog, &CommandPalette::chosen, this,
            [this](PaletteModel::Kind kind, const QString& id) {
                switch (kind) {
                case PaletteModel::Kind::Device:
                    openDevice(id);
                    break;
                case PaletteModel::Kind::Organisation:
                    setScope({id, {}, {}});
                    showView("devices");
                    break;
                case PaletteModel::Kind::Site:
                    for (const auto& site : m_connection.tree().sites())
                        if (site.id == id)
                            setScope({site.parentId, id, {}});
                    showView("devices");
                    break;
                case PaletteModel::Kind::View:
                    showView(id);
                    break;
                case PaletteModel::Kind::Script:
                    showView("scripts");
                    m_scripts->openScript(id);
                    break;
                case PaletteModel::Kind::Action:
                    runAction(id);
                    break;
                }
            });
}

BulkDeviceUpdate* MainWindow::changeDevices(const QStringList& deviceIds, const QJsonObject& change,
                                            const QString& what) {
    auto* update = new BulkDeviceUpdate(m_connection.api(), deviceIds, change, this);
    m_bulkProgress->setRange(0, update->total());
    m_bulkProgress->setValue(0);
    m_bulkProgress->show();
    m_bulkCancel->show();
    statusBar()->showMessage(what + "…");
    const auto stop = connect(m_bulkCancel, &QPushButton::clicked, update, &BulkDeviceUpdate::cancel);
    connect(update, &BulkDeviceUpdate::progress, m_bulkProgress, &QProgressBar::setValue);
    connect(update, &BulkDeviceUpdate::finished, this,
            [this, what, stop](int succeeded, int failed, const QString& firstError) {
                disconnect(stop);
                m_bulkProgress->hide();
                m_bulkCancel->hide();
                if (failed == 0)
                    statusBar()->showMessage(tr("%1: done for %2 device(s)").arg(what).arg(succeeded), 10000);
                else
                    statusBar()->showMessage(tr("%1: done for %2, refused for %3: %4")
                                                 .arg(what)
                                                 .arg(succeeded)
                                                 .arg(failed)
                                                 .arg(firstError));
            });
    update->start();
    return update;
}

void MainWindow::closeEvent(QCloseEvent* event) {
    QSettings settings;
    settings.setValue("main/geometry", saveGeometry());
    settings.setValue("main/device-columns", m_table->horizontalHeader()->saveState());
    QMainWindow::closeEvent(event);
}

QVector<PaletteModel::Entry> MainWindow::paletteEntries() const {
    QVector<PaletteModel::Entry> entries{
        {PaletteModel::Kind::View, "dashboard", tr("Dashboard"), {}},
        {PaletteModel::Kind::View, "devices", tr("Devices"), {}},
        {PaletteModel::Kind::View, "scripts", tr("Scripts"), {}},
        {PaletteModel::Kind::View, "patches", tr("Patches"), {}},
        {PaletteModel::Kind::View, "administration", tr("Administration"), {}},
        {PaletteModel::Kind::Action, "all", tr("Show all devices"), {}},
        {PaletteModel::Kind::Action, "reload", tr("Reload devices from the server"), {}},
        {PaletteModel::Kind::Action, "run", tr("Run a script on the selected devices…"), {}},
        {PaletteModel::Kind::Action, "export", tr("Export the device list as CSV…"), {}},
        {PaletteModel::Kind::Action, "new-script", tr("New script"), {}},
        {PaletteModel::Kind::Action, "schedules", tr("Scheduled script runs"), {}},
        {PaletteModel::Kind::Action, "theme-dark", tr("Theme: dark"), {}},
        {PaletteModel::Kind::Action, "theme-light", tr("Theme: light"), {}},
        {PaletteModel::Kind::Action, "theme-system", tr("Theme: as the system"), {}}};
    return entries + m_scriptEntries;
}

void MainWindow::openPalette() {
    // From any window: the palette opens over the main window.
    show();
    raise();
    activateWindow();
    m_palette->rebuild(m_connection.devices(), m_connection.tree(), paletteEntries());
    m_paletteDialog->refresh();
    m_paletteDialog->open();
    // The library's scripts, as they are now; the list is filled again when they arrive.
    m_scriptClient.list([this](const QJsonArray& scripts, const QString& error) {
        if (!error.isEmpty())
            return;
        m_scriptEntries = PaletteModel::scriptEntries(scripts);
        if (m_paletteDialog->isVisible()) {
            m_palette->rebuild(m_connection.devices(), m_connection.tree(), paletteEntries());
            m_paletteDialog->refresh();
        }
    });
}

void MainWindow::runAction(const QString& id) {
    if (id == "reload") {
        m_connection.directory().reload();
    } else if (id == "all") {
        setScope({});
        showCondition(DeviceFilterModel::Condition::Any);
    } else if (id == "run") {
        QStringList ids;
        for (const QModelIndex& index : m_table->selectionModel()->selectedRows())
            ids << index.data(DeviceTableModel::DeviceIdRole).toString();
        runScriptOn(ids);
    } else if (id == "export") {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export device list"), "devices.csv",
                                                          tr("CSV files (*.csv)"));
        if (!path.isEmpty())
            exportDevices(path);
    } else if (id == "new-script") {
        showView("scripts");
        m_scripts->newScript();
    } else if (id == "schedules") {
        showView("scripts");
        m_scripts->tabs()->setCurrentWidget(m_scripts->schedules());
    } else if (id.startsWith("theme-")) {
        Theme::apply(id.mid(6));
    }
}

DeviceView* MainWindow::openDevice(const QString& deviceId) {
    if (deviceId.isEmpty())
        return nullptr;
    QPointer<DeviceView>& view = m_deviceViews[deviceId];
    if (!view) {
        view = new DeviceView(m_connection, deviceId);
        view->setAttribute(Qt::WA_DeleteOnClose);
        connect(view, &DeviceView::runScriptRequested, this, &MainWindow::runScriptOn);
        connect(view, &DeviceView::terminalRequested, this, [this](const QString& id) { openTerminal(id); });
        connect(view, &DeviceView::filesRequested, this, [this](const QString& id) { openFiles(id); });
        connect(view, &DeviceView::desktopRequested, this,
                [this](const QString& id, bool viewOnly, bool record) {
                    openDesktop(id, {viewOnly, record});
                });
        // Open device windows follow their device's heartbeats live; closing one stops its stream.
        connect(view, &QObject::destroyed, this, [this, deviceId] {
            m_deviceViews.remove(deviceId);
            watchOpenDevices();
        });
        watchOpenDevices();
    }
    view->show();
    view->raise();
    view->activateWindow();
    return view;
}

RemoteSessionsWindow* MainWindow::remoteSessions() {
    if (!m_remote) {
        // A window of its own (terminals want the room), owned here so it closes with the console.
        m_remote = new RemoteSessionsWindow(m_connection.api(), this);
        m_remote->setWindowFlag(Qt::Window);
    }
    return m_remote;
}

void MainWindow::restoreTerminals() {
    if (RemoteSessionsWindow::hasSavedSessions())
        remoteSessions()->restoreSessions();
}

QString MainWindow::deviceName(const QString& deviceId) const {
    const Device* device = m_connection.devices().device(deviceId);
    return !device ? deviceId : device->hostname.isEmpty() ? device->identity : device->hostname;
}

FileManagerView* MainWindow::openFiles(const QString& deviceId) {
    if (deviceId.isEmpty())
        return nullptr;
    // A window per device (a second click brings it up again), owned here so it closes with the console.
    QPointer<FileManagerView>& view = m_fileViews[deviceId];
    if (!view) {
        view = new FileManagerView(m_connection.api(), deviceId, deviceName(deviceId), {}, this);
        view->setWindowFlag(Qt::Window);
        view->setAttribute(Qt::WA_DeleteOnClose);
    }
    view->show();
    view->raise();
    view->activateWindow();
    return view;
}

DesktopWindow* MainWindow::openDesktop(const QString& deviceId, const DesktopOptions& options) {
    if (deviceId.isEmpty())
        return nullptr;
    // A window per device; its session is its own (the device's terminals and file sessions go on).
    QPointer<DesktopWindow>& window = m_desktops[deviceId];
    if (!window) {
        window = new DesktopWindow(m_connection.api(), deviceId, deviceName(deviceId), options, this);
        window->setWindowFlag(Qt::Window);
        window->setAttribute(Qt::WA_DeleteOnClose);
    }
    window->show();
    window->raise();
    window->activateWindow();
    return window;
}

TerminalView* MainWindow::openTerminal(const QString& deviceId, bool beside) {
    if (deviceId.isEmpty())
        return nullptr;
    const QString name = deviceName(deviceId);
    return remoteSessions()->openTerminal(deviceId, name,
                                          beside ? RemoteSessionsWindow::Placement::SplitRight
                                                 : RemoteSessionsWindow::Placement::NewTab);
}

void MainWindow::watchOpenDevices() {
    QStringList ids;
    for (auto it = m_deviceViews.cbegin(); it != m_deviceViews.cend() && ids.size() < 50; ++it)
        if (it.value())
            ids << it.key();
    m_connection.live().watch(ids);
}

void MainWindow::showView(const QString& name) {
    QWidget* view = name == "dashboard"        ? static_cast<QWidget*>(m_dashboard)
                    : name == "administration" ? static_cast<QWidget*>(m_administration)
                    : name == "scripts"        ? static_cast<QWidget*>(m_scripts)
                    : name == "patches"        ? static_cast<QWidget*>(m_patches)
                                               : m_views->widget(1);
    m_views->setCurrentWidget(view);
}

void MainWindow::runScriptOn(const QStringList& deviceIds) {
    // It starts on the script chosen in the library, if one is.
    auto* dialog = new RunScriptDialog(m_connection, {}, deviceIds, this, recordId(m_scripts->current()));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &RunScriptDialog::started, this, &MainWindow::followRun);
    connect(dialog, &RunScriptDialog::scheduled, this, [this] {
        statusBar()->showMessage(tr("Scheduled: the server makes the run at its time (Scripts → Schedules)."),
                                 10000);
        m_scripts->schedules()->reload();
    });
    dialog->open();
}

RunMonitorWindow* MainWindow::followRun(const QJsonObject& started) {
    return openMonitor([&started](ScriptRunMonitor& monitor) { monitor.start(started); });
}

RunMonitorWindow* MainWindow::followExecution(const QJsonObject& execution) {
    return openMonitor([&execution](ScriptRunMonitor& monitor) { monitor.watch(execution); });
}

RunMonitorWindow* MainWindow::openMonitor(const std::function<void(ScriptRunMonitor&)>& begin) {
    auto* monitor = new ScriptRunMonitor(m_connection.api(), m_connection.live());
    begin(*monitor);
    auto* window = new RunMonitorWindow(monitor);
    window->show();
    return window;
}

QString MainWindow::search() const {
    return m_search->text();
}

void MainWindow::setSearch(const QString& text) {
    m_search->setText(text);
}

void MainWindow::explainEmptyList() {
    const bool loaded = m_connection.devices().rowCount() > 0;
    if (m_filter->rowCount() > 0 || !loaded)
        m_emptyList->clear();
    else if (!m_search->text().trimmed().isEmpty())
        m_emptyList->showInformation(tr("No devices match \"%1\".").arg(m_search->text().trimmed()));
    else if (m_filter->condition() != DeviceFilterModel::Condition::Any)
        m_emptyList->showInformation(tr("No device of %1 is in this state.")
                                         .arg(scopeName().isEmpty() ? tr("the fleet") : scopeName()));
    else
        m_emptyList->showInformation(tr("%1 has no devices.").arg(scopeName()));
}

void MainWindow::showCounts() {
    const auto [total, online] = m_filter->scopeCounts();
    const QString counts = (total == 1 ? tr("1 device") : tr("%1 devices").arg(total)) +
                           tr(", %1 online, %2 offline").arg(online).arg(total - online);
    const QString scope = scopeName();
    m_counts->setText(scope.isEmpty() ? counts : tr("%1: %2").arg(scope, counts));
}

QString MainWindow::scopeName() const {
    const auto nameIn = [](const QVector<TenancyNode>& nodes, const QString& id) {
        for (const auto& node : nodes)
            if (node.id == id)
                return node.name;
        return QString();
    };
    const FleetTreeModel& tree = m_connection.tree();
    if (!m_filter->scopeGroupId().isEmpty())
        return tree.groups().value(m_filter->scopeGroupId()).name;
    if (!m_filter->scopeSiteId().isEmpty())
        return nameIn(tree.sites(), m_filter->scopeSiteId());
    return nameIn(tree.organisations(), m_filter->scopeOrgId());
}

// Who is signed in, and to which server: the technician's e-mail address and the server's address.
void MainWindow::showWhoIsSignedIn() {
    const QString server = m_connection.api().server().authority();
    m_identity->setText(tr("on %1").arg(server));
    m_records.signedInName([this, server](const QString& name) {
        if (!name.isEmpty())
            m_identity->setText(tr("%1 on %2").arg(name, server));
    });
}

} // namespace breeze::console
