#include "MainWindow.h"

#include "AdministrationView.h"
#include "CommandPalette.h"
#include "ConsoleConnection.h"
#include "DashboardView.h"
#include "DeviceFilterModel.h"
#include "DeviceView.h"
#include "PaletteModel.h"
#include "StatusDelegate.h"
#include "Theme.h"

#include <QActionGroup>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QShortcut>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

namespace breeze::console {

MainWindow::MainWindow(ConsoleConnection& connection, QWidget* parent)
    : QMainWindow(parent), m_connection(connection) {
    setWindowTitle(tr("Breeze — %1").arg(connection.api().server().host()));
    auto* central = new QWidget(this);
    m_search = new QLineEdit(central);
    m_search->setPlaceholderText(tr("Search host name, address, operating system or status"));
    m_search->setClearButtonEnabled(true);
    m_filter = new DeviceFilterModel(connection.devices(), this);
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
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    // Commands for every selected device at once.
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_table, &QWidget::customContextMenuRequested, this, [this](const QPoint& at) {
        QStringList ids;
        for (const QModelIndex& index : m_table->selectionModel()->selectedRows())
            ids << index.data(DeviceTableModel::DeviceIdRole).toString();
        if (ids.isEmpty())
            return;
        QMenu menu(this);
        menu.addSection(ids.size() == 1 ? tr("1 device") : tr("%1 devices").arg(ids.size()));
        const auto run = [this, ids](const QString& type, const QJsonObject& args, const QString& verb) {
            for (const QString& id : ids)
                m_connection.commands().send(id, type, args, "bulk");
            statusBar()->showMessage(
                tr("%1: sent to %2 devices; each runs when its device is online").arg(verb).arg(ids.size()),
                10000);
        };
        menu.addAction(tr("Ping"), this, [run] { run("ping", {}, tr("Ping")); });
        menu.addAction(tr("Collect inventory now"), this,
                       [run] { run("collect_inventory", {}, tr("Inventory")); });
        menu.addSeparator();
        for (const auto& [type, verb] :
             {std::pair<QString, QString>{"reboot", tr("Restart")}, {"shutdown", tr("Shut down")}}) {
            menu.addAction(verb + "…", this, [this, run, ids, type = type, verb = verb] {
                bool ok = false;
                const int minutes = QInputDialog::getInt(
                    this, verb,
                    tr("%1 %2 device(s) in how many minutes? (users are warned)").arg(verb).arg(ids.size()),
                    5, 0, 1440, 1, &ok);
                if (ok)
                    run(type, {{"delay_seconds", minutes * 60}}, verb);
            });
        }
        QMenu* move = menu.addMenu(tr("Move to site"));
        for (int o = 0; o < m_connection.tree().rowCount(); ++o) {
            const QModelIndex org = m_connection.tree().index(o, 0);
            for (int s = 0; s < m_connection.tree().rowCount(org); ++s) {
                const QModelIndex site = m_connection.tree().index(s, 0, org);
                const QString siteId = site.data(FleetTreeModel::IdRole).toString();
                const QString label = site.data().toString().section(" (", 0, 0) + " — " +
                                      org.data().toString().section(" (", 0, 0);
                move->addAction(label, this, [this, ids, siteId, label] {
                    for (const QString& id : ids)
                        m_connection.api().patch(
                            "/api/v1/devices/" + id, {{"site_id", siteId}}, [this](const ApiReply& reply) {
                                if (!reply.ok())
                                    statusBar()->showMessage(tr("Not moved: %1").arg(reply.errorMessage),
                                                             10000);
                            });
                    statusBar()->showMessage(tr("Moving %1 device(s) to %2").arg(ids.size()).arg(label),
                                             5000);
                });
            }
        }
        menu.addSeparator();
        menu.addAction(tr("Open"), this, [this, ids] {
            for (const QString& id : ids.mid(0, 10))
                openDevice(id);
        });
        menu.exec(m_table->viewport()->mapToGlobal(at));
    });
    connect(&connection.commands(), &CommandRunner::refused, this,
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
    layout->addWidget(m_search);
    layout->addWidget(m_table);

    // Left: organisations and sites with their counts; choosing one narrows the table to it.
    m_tree = new QTreeView(this);
    m_tree->setModel(&connection.tree());
    m_tree->setHeaderHidden(true);
    m_tree->setUniformRowHeights(true); // cheap for sites with thousands of devices
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& current) {
                const auto kind =
                    static_cast<FleetTreeModel::Kind>(current.data(FleetTreeModel::KindRole).toInt());
                const QString id = current.data(FleetTreeModel::IdRole).toString();
                if (!current.isValid())
                    m_filter->setScope({}, {});
                else if (kind == FleetTreeModel::Kind::Organisation)
                    m_filter->setScope(id, {});
                else if (kind == FleetTreeModel::Kind::Site)
                    m_filter->setScope({}, id);
            });
    m_views = new QTabWidget(this);
    m_dashboard = new DashboardView(connection.devices(), m_views);
    m_views->addTab(m_dashboard, tr("Dashboard"));
    m_views->addTab(central, tr("Devices"));
    m_administration = new AdministrationView(connection.api(), m_views);
    m_views->addTab(m_administration, tr("Administration"));
    // Administration lists load when first shown, and again once signed in (a tab shown before sign-in).
    connect(&connection.session(), &SignInSession::signedInChanged, this, [this](bool signedIn) {
        if (signedIn && m_views->currentWidget() == m_administration)
            m_administration->loadCurrent();
    });
    connect(m_views, &QTabWidget::currentChanged, this, [this](int index) {
        if (!m_connection.session().signedIn())
            return;
        if (m_views->widget(index) == m_administration && !m_administrationOpened) {
            m_administrationOpened = true;
            m_administration->loadCurrent();
        }
    });
    m_views->setCurrentIndex(1);
    // Choosing an organisation or site in the tree shows its devices.
    connect(m_tree, &QTreeView::clicked, this, [this] { m_views->setCurrentIndex(1); });
    auto* splitter = new QSplitter(this);
    splitter->addWidget(m_tree);
    splitter->addWidget(m_views);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({260, 840});
    auto* outer = new QWidget(this);
    auto* outerLayout = new QVBoxLayout(outer);
    outerLayout->addWidget(splitter);
    setCentralWidget(outer);

    m_counts = new QLabel(this);
    m_counts->setTextFormat(Qt::PlainText);
    m_link = new QLabel(this);
    m_link->setTextFormat(Qt::PlainText);
    statusBar()->addWidget(m_counts, 1);
    statusBar()->addPermanentWidget(m_link);
    m_countdown = new QTimer(this);
    m_countdown->setInterval(1000);
    connect(m_countdown, &QTimer::timeout, this, [this] {
        m_secondsLeft = std::max(0, m_secondsLeft - 1);
        m_link->setText(tr("Disconnected — reconnecting in %1 s").arg(m_secondsLeft));
    });
    connect(&connection.devices(), &DeviceTableModel::countsChanged, this, &MainWindow::showCounts);
    connect(&connection.directory(), &DeviceDirectory::progress, this,
            [this](int loaded) { m_counts->setText(tr("Loading devices… %1").arg(loaded)); });
    connect(&connection.directory(), &DeviceDirectory::loaded, this, [this] {
        m_tree->expandToDepth(0);
        // Fit the columns to what arrived, once (the header samples rows, so this stays cheap for big
        // fleets); a layout the technician arranged is kept.
        if (!m_columnsArranged)
            m_table->resizeColumnsToContents();
        m_columnsArranged = true;
    });
    connect(&connection.directory(), &DeviceDirectory::failed, this, [this](const QString& message) {
        m_counts->setText(tr("Could not load devices: %1").arg(message));
    });
    connect(&connection.live(), &LiveChannel::stateChanged, this, [this](LiveChannel::State state) {
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
    connect(&connection.live(), &LiveChannel::reconnectScheduled, this, [this](int seconds) {
        m_secondsLeft = seconds;
        m_link->setText(tr("Disconnected — reconnecting in %1 s").arg(seconds));
        m_countdown->start();
    });
    m_link->setText(tr("Not connected"));

    // Menus: every action also has a shortcut or sits in the palette.
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("Reload devices"), QKeySequence::Refresh, this,
                    [this] { m_connection.directory().reload(); });
    file->addSeparator();
    file->addAction(tr("Quit"), QKeySequence::Quit, this, &QWidget::close);
    QMenu* viewMenu = menuBar()->addMenu(tr("&View"));
    viewMenu->addAction(tr("Dashboard"), QKeySequence(tr("Ctrl+1")), this, [this] { showView("dashboard"); });
    viewMenu->addAction(tr("Devices"), QKeySequence(tr("Ctrl+2")), this, [this] { showView("devices"); });
    viewMenu->addAction(tr("Administration"), QKeySequence(tr("Ctrl+3")), this,
                        [this] { showView("administration"); });
    viewMenu->addAction(tr("Go to…"), QKeySequence(tr("Ctrl+K")), this, [this] { openPalette(); });
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
                    m_filter->setScope(id, {});
                    showView("devices");
                    break;
                case PaletteModel::Kind::Site:
                    m_filter->setScope({}, id);
                    showView("devices");
                    break;
                case PaletteModel::Kind::View:
                    showView(id);
                    break;
                case PaletteModel::Kind::Action:
                    if (id == "reload")
                        m_connection.directory().reload();
                    else if (id == "all")
                        m_filter->setScope({}, {});
                    break;
                }
            });
    showCounts(0, 0);

    QSettings settings;
    restoreGeometry(settings.value("main/geometry").toByteArray());
    m_columnsArranged =
        m_table->horizontalHeader()->restoreState(settings.value("main/columns").toByteArray());
    resize(settings.contains("main/geometry") ? size() : QSize(1100, 650));
}

void MainWindow::closeEvent(QCloseEvent* event) {
    QSettings settings;
    settings.setValue("main/geometry", saveGeometry());
    settings.setValue("main/columns", m_table->horizontalHeader()->saveState());
    QMainWindow::closeEvent(event);
}

void MainWindow::openPalette() {
    m_palette->rebuild(m_connection.devices(), m_connection.tree(),
                       {{PaletteModel::Kind::View, "dashboard", tr("Dashboard"), {}},
                        {PaletteModel::Kind::View, "devices", tr("Devices"), {}},
                        {PaletteModel::Kind::View, "administration", tr("Administration"), {}},
                        {PaletteModel::Kind::Action, "all", tr("Show all devices"), {}},
                        {PaletteModel::Kind::Action, "reload", tr("Reload devices from the server"), {}}});
    m_paletteDialog->refresh();
    m_paletteDialog->open();
}

DeviceView* MainWindow::openDevice(const QString& deviceId) {
    if (deviceId.isEmpty())
        return nullptr;
    QPointer<DeviceView>& view = m_deviceViews[deviceId];
    if (!view) {
        view = new DeviceView(m_connection, deviceId);
        view->setAttribute(Qt::WA_DeleteOnClose);
    }
    view->show();
    view->raise();
    view->activateWindow();
    return view;
}

void MainWindow::showView(const QString& name) {
    m_views->setCurrentIndex(name == "dashboard" ? 0 : name == "administration" ? 2 : 1);
}

void MainWindow::setSearch(const QString& text) {
    m_search->setText(text);
}

void MainWindow::showCounts(int total, int online) {
    m_counts->setText((total == 1 ? tr("1 device") : tr("%1 devices").arg(total)) +
                      tr(", %1 online, %2 offline").arg(online).arg(total - online));
}

} // namespace breeze::console
