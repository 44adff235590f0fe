// The console through a technician's day, offscreen, against a real server and a real agent: one scope for
// the whole window however it was chosen, lists that follow other people's changes without F5, a device grid
// with the columns technicians sort by, dashboard tiles that lead to their devices, saved filters kept on the
// server, and a CSV export.
#include "ConsoleConnection.h"
#include "ConsoleFixture.h"
#include "FleetTreeModel.h"
#include "TestAgent.h"
#include "TestFleet.h"
#include "TestPostgres.h"
#include "TestServer.h"
#include "administration/AdministrationView.h"
#include "devices/DashboardView.h"
#include "devices/SavedFilterMenu.h"
#include "shell/CommandPalette.h"
#include "shell/MainWindow.h"

#include <QFile>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QToolButton>
#include <QTreeView>
#include <QtTest>

using namespace breeze;
using namespace breeze::console;

class TestConsoleFleetDay final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestPostgres> m_postgres;
    std::unique_ptr<test::TestFleet> m_fleet;
    test::TestServer* m_server = nullptr;
    net::RestClient* m_admin = nullptr;
    std::unique_ptr<test::TestAgent> m_agent;
    std::unique_ptr<ConsoleConnection> m_connection;
    std::unique_ptr<MainWindow> m_window;
    QString m_contoso, m_berlin, m_fabrikam, m_oslo, m_web, m_kiosk;

    QStringList listedIds() const {
        QStringList ids;
        const auto* model = m_window->deviceTable()->model();
        for (int row = 0; row < model->rowCount(); ++row)
            ids << model->index(row, 0).data(DeviceTableModel::DeviceIdRole).toString();
        ids.sort();
        return ids;
    }

    QStringList sorted(QStringList ids) const {
        ids.sort();
        return ids;
    }

    QString cell(const QString& deviceId, int column, int role = Qt::DisplayRole) const {
        const auto& devices = m_connection->devices();
        return devices.data(devices.index(devices.rowOf(deviceId), column), role).toString();
    }

    // The tree's node with this id, anywhere.
    QModelIndex node(const QString& id) const {
        const QAbstractItemModel* tree = m_window->fleetTree()->model();
        std::function<QModelIndex(const QModelIndex&)> find = [&](const QModelIndex& parent) -> QModelIndex {
            for (int row = 0; row < tree->rowCount(parent); ++row) {
                const QModelIndex index = tree->index(row, 0, parent);
                if (index.data(FleetTreeModel::IdRole).toString() == id)
                    return index;
                if (const QModelIndex below = find(index); below.isValid())
                    return below;
            }
            return {};
        };
        return find({});
    }

private Q_SLOTS:
    void initTestCase() {
        m_postgres = std::make_unique<test::TestPostgres>();
        m_fleet = std::make_unique<test::TestFleet>(
            *m_postgres, "console_day", "admin@day.test", "Day MSP", "Contoso", "Berlin",
            std::map<std::string, std::string>{{"agents.heartbeat_seconds", "2"}});
        m_server = m_fleet->server.get();
        m_admin = m_fleet->api.get();
        m_contoso = QString::fromStdString(m_fleet->org);
        m_berlin = QString::fromStdString(m_fleet->site);
        const std::string fabrikam = m_admin->post("/api/v1/orgs", {{"name", "Fabrikam"}}).body["id"];
        const std::string oslo =
            m_admin->post("/api/v1/sites", {{"org_id", fabrikam}, {"name", "Oslo"}}).body["id"];
        m_fabrikam = QString::fromStdString(fabrikam);
        m_oslo = QString::fromStdString(oslo);
        m_kiosk = QString::fromStdString(m_fleet->enroll("kiosk-07", oslo)["device_id"].get<std::string>());
        test::TestAgent::Options options;
        options.identity = "web-01";
        m_agent = std::make_unique<test::TestAgent>(*m_server, m_fleet->enrollmentKey(), options);
        m_agent->start();
        m_web = QString::fromStdString(m_agent->deviceId());
        QTRY_VERIFY_WITH_TIMEOUT(
            m_admin->get("/api/v1/devices/" + m_agent->deviceId()).body["status"] == "online", 20000);

        m_connection = test::consoleConnection(*m_server);
        m_window = std::make_unique<MainWindow>(*m_connection);
        QVERIFY(test::signIn(*m_connection, m_fleet->admin));
        m_window->resize(1280, 720);
        m_window->show();
        QTRY_COMPARE_WITH_TIMEOUT(m_connection->devices().rowCount(), 2, 10000);
    }

    // Each test starts from the whole fleet, unsearched and unfiltered.
    void init() {
        m_window->setScope({});
        m_window->setSearch({});
        m_window->showCondition(DeviceFilterModel::Condition::Any);
    }

    void cleanupTestCase() {
        m_window.reset();
        m_connection.reset();
        m_agent.reset();
    }

    // The palette jumps to a site; the tree follows; the root shows everything again (it used to stay empty).
    void theScopeHoldsHoweverItWasChosen() {
        m_window->showView("devices");
        auto* palette = m_window->findChild<CommandPalette*>();
        QVERIFY(palette);
        Q_EMIT palette->chosen(PaletteModel::Kind::Site, m_oslo);
        QCOMPARE(listedIds(), QStringList{m_kiosk});
        QCOMPARE(m_window->fleetTree()->currentIndex().data(FleetTreeModel::IdRole).toString(), m_oslo);
        QCOMPARE(m_window->scope(), (FleetScope{m_fabrikam, m_oslo, {}}));
        m_window->fleetTree()->setCurrentIndex(m_window->fleetTree()->model()->index(0, 0)); // the root
        QCOMPARE(listedIds(), sorted({m_web, m_kiosk}));
        QVERIFY(m_window->scope().everything());
        // The dashboard counts the scope, and so does the Patches view's decision level.
        m_window->fleetTree()->setCurrentIndex(node(m_contoso));
        auto* dashboard = m_window->findChild<DashboardView*>();
        QCOMPARE(dashboard->tileText(DeviceFilterModel::Condition::Any), QString("1"));
        QCOMPARE(dashboard->tileText(DeviceFilterModel::Condition::Online), QString("1"));
        QCOMPARE(dashboard->tileText(DeviceFilterModel::Condition::Offline), QString("0"));
        m_window->setScope({});
        QCOMPARE(dashboard->tileText(DeviceFilterModel::Condition::Offline), QString("1"));
    }

    // Someone else adds a site and an enrollment key: the tree and the open lists show them without F5, and
    // the chosen scope stays chosen through the tree's rebuild.
    void otherPeoplesChangesAppearWithoutAReload() {
        m_window->setScope({m_fabrikam, m_oslo, {}});
        m_window->showView("administration");
        auto* administration = m_window->findChild<AdministrationView*>();
        auto* tabs = administration->findChild<QTabWidget*>();
        const auto showTab = [&](const QString& title) {
            for (int i = 0; i < tabs->count(); ++i)
                if (tabs->tabText(i) == title)
                    tabs->setCurrentIndex(i);
            return qobject_cast<QTableView*>(tabs->currentWidget()->findChild<QTableView*>());
        };
        const auto lists = [](QTableView* table, const QString& text) {
            for (int row = 0; row < table->model()->rowCount(); ++row)
                for (int column = 0; column < table->model()->columnCount(); ++column)
                    if (table->model()->index(row, column).data().toString() == text)
                        return true;
            return false;
        };
        QTableView* keys = showTab(tr("Enrollment keys"));
        QTableView* sites = showTab(tr("Sites"));
        QTRY_VERIFY_WITH_TIMEOUT(lists(sites, "Oslo"), 10000);
        const std::string madrid =
            m_admin->post("/api/v1/sites", {{"org_id", m_contoso.toStdString()}, {"name", "Madrid"}})
                .body["id"];
        QTRY_VERIFY_WITH_TIMEOUT(node(QString::fromStdString(madrid)).isValid(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(lists(sites, "Madrid"), 10000);
        QCOMPARE(m_window->scope(), (FleetScope{m_fabrikam, m_oslo, {}}));
        QCOMPARE(m_window->fleetTree()->currentIndex().data(FleetTreeModel::IdRole).toString(), m_oslo);
        QCOMPARE(listedIds(), QStringList{m_kiosk});
        QCOMPARE(m_admin->post("/api/v1/enrollment-keys", {{"name", "Madrid laptops"}, {"site_id", madrid}})
                     .status,
                 201);
        showTab(tr("Enrollment keys"));
        QTRY_VERIFY_WITH_TIMEOUT(lists(keys, "Madrid laptops"), 10000);
        m_window->setScope({});
    }

    // The grid's columns for a real agent: place by name, uptime, the fullest disk, patches, every address.
    void theGridShowsWhatTechniciansSortBy() {
        QCOMPARE(cell(m_web, DeviceTableModel::Organisation), QString("Contoso"));
        QCOMPARE(cell(m_kiosk, DeviceTableModel::Site), QString("Oslo"));
        QTRY_VERIFY_WITH_TIMEOUT(!cell(m_web, DeviceTableModel::Uptime).isEmpty(), 15000);
        QTRY_VERIFY_WITH_TIMEOUT(cell(m_web, DeviceTableModel::FreeDisk).contains("% used"), 15000);
        QCOMPARE(cell(m_web, DeviceTableModel::Patches), QString("not scanned"));
        QCOMPARE(cell(m_kiosk, DeviceTableModel::Uptime), QString()); // never sent a heartbeat
        // Every address the agent reported (once its inventory arrived), and the search finds any of them.
        QTRY_VERIFY_WITH_TIMEOUT(m_admin->get("/api/v1/devices/" + m_web.toStdString() + "/inventory")
                                         .body["sections"]
                                         .dump()
                                         .find("\"interfaces\"") != std::string::npos,
                                 15000);
        QStringList addresses;
        const auto device = m_admin->get("/api/v1/devices/" + m_web.toStdString());
        for (const auto& address : device.body["addresses"])
            addresses << QString::fromStdString(address.get<std::string>());
        // This machine's own addresses, as `ip` lists them, loopback left out.
        QProcess ip;
        ip.start("ip", {"-o", "addr"});
        QVERIFY(ip.waitForFinished(5000));
        QStringList expected;
        for (const QString& line :
             QString::fromUtf8(ip.readAllStandardOutput()).split('\n', Qt::SkipEmptyParts)) {
            const QStringList fields = line.simplified().split(' ');
            if (fields.size() > 3 && fields[1] != "lo")
                expected << fields[3].section('/', 0, 0);
        }
        QCOMPARE(sorted(addresses), sorted(expected));
        m_connection->directory().reload();
        QTRY_COMPARE_WITH_TIMEOUT(cell(m_web, DeviceTableModel::Addresses), addresses.join(", "), 10000);
        if (!addresses.isEmpty()) {
            m_window->setSearch(addresses.last());
            QCOMPARE(listedIds(), QStringList{m_web});
            m_window->setSearch({});
        }
        // Status is never cut short, and the columns nobody asked for stay hidden until chosen.
        QVERIFY(!m_window->shownColumns().contains(DeviceTableModel::Address));
        QVERIFY(m_window->shownColumns().contains(DeviceTableModel::Patches));
        const int statusWidth = m_window->deviceTable()->columnWidth(DeviceTableModel::Status);
        QVERIFY(statusWidth >= m_window->deviceTable()->fontMetrics().horizontalAdvance("awaiting approval"));
    }

    // A dashboard tile leads to the device list narrowed to its devices, with a way back.
    void dashboardTilesLeadToTheirDevices() {
        m_window->showView("dashboard");
        auto* dashboard = m_window->findChild<DashboardView*>();
        dashboard->tile(DeviceFilterModel::Condition::Offline)->click();
        QCOMPARE(listedIds(), QStringList{m_kiosk});
        QPushButton* showAll = nullptr;
        for (auto* button : m_window->findChildren<QPushButton*>())
            if (button->text() == tr("Show all devices"))
                showAll = button;
        QVERIFY(showAll && showAll->isVisible());
        showAll->click();
        QCOMPARE(listedIds(), sorted({m_web, m_kiosk}));
        QVERIFY(!showAll->isVisible());
        // A double-click on a recently offline device opens it.
        m_window->showView("dashboard");
        auto* recent = dashboard->recentlyOffline();
        QCOMPARE(recent->rowCount(), 1);
        Q_EMIT recent->itemActivated(recent->item(0, 0));
        const auto opened = [] {
            for (auto* window : QApplication::topLevelWidgets())
                if (window->isVisible() && window->windowTitle().contains("kiosk-07"))
                    return window;
            return static_cast<QWidget*>(nullptr);
        };
        QTRY_VERIFY_WITH_TIMEOUT(opened(), 10000);
        opened()->close();
    }

    // A saved filter keeps scope, search and state on the server and brings them all back.
    void savedFiltersComeBackWhole() {
        m_window->setScope({m_fabrikam, {}, {}});
        m_window->setSearch("kiosk");
        m_connection->devices(); // the list stays as it is while saving
        SavedFilterMenu* menu = m_window->savedFilters();
        menu->saveAs("Fabrikam kiosks");
        QTRY_COMPARE_WITH_TIMEOUT(menu->filters().size(), qsizetype(1), 10000);
        const auto stored = m_admin->get("/api/v1/me/device-filters").body["items"];
        QCOMPARE(stored.size(), std::size_t(1));
        QCOMPARE(stored[0]["definition"],
                 nlohmann::json({{"search", "kiosk"}, {"org_id", m_fabrikam.toStdString()}}));
        m_window->setScope({});
        m_window->setSearch({});
        QCOMPARE(listedIds().size(), 2);
        m_window->applyFilter(menu->filters().first());
        QCOMPARE(m_window->search(), QString("kiosk"));
        QCOMPARE(m_window->scope(), (FleetScope{m_fabrikam, {}, {}}));
        QCOMPARE(listedIds(), QStringList{m_kiosk});
        menu->remove(menu->filters().first());
        QTRY_VERIFY_WITH_TIMEOUT(menu->filters().isEmpty(), 10000);
        m_window->setScope({});
        m_window->setSearch({});
    }

    // The export holds the rows and columns the list shows, in their order.
    void theListExportsAsCsv() {
        QTemporaryDir folder;
        const QString path = folder.filePath("devices.csv");
        m_window->setScope({m_contoso, {}, {}});
        QVERIFY(m_window->exportDevices(path));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QStringList lines =
            QString::fromUtf8(file.readAll()).remove(QChar(0xFEFF)).split("\r\n", Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2); // the header and Contoso's one device
        QVERIFY(lines[0].startsWith("Host name,Status,Organisation,Site,"));
        QVERIFY(!lines[0].contains("Connected from"));
        QVERIFY(lines[1].startsWith(cell(m_web, DeviceTableModel::Hostname) + ",online,Contoso,Berlin,"));
        m_window->setScope({});
    }
};

QTEST_MAIN(TestConsoleFleetDay)
#include "TestConsoleFleetDay.moc"
