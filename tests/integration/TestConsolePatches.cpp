// The console's patch view, offscreen, against a real server: the approval grid lists the updates the devices
// miss, decisions made for the selected rows reach the server at the level chosen, deployments go out now or
// at a time, and the compliance chart shows each site. (The updates are stored as a scan would store them:
// test_patches runs the real agent and apt.)
#include "ConsoleConnection.h"
#include "ConsoleFixture.h"
#include "FleetTreeModel.h"
#include "TestFleet.h"
#include "TestPostgres.h"
#include "TestServer.h"
#include "devices/DevicePatchesTab.h"
#include "devices/DeviceProcessesTab.h"
#include "devices/DeviceView.h"
#include "patches/PatchDeployDialog.h"
#include "patches/PatchesView.h"
#include "shell/MainWindow.h"
#include "widgets/RecordForm.h"

#include <QBarCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPointer>
#include <QPushButton>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTableView>
#include <QTreeView>
#include <QtTest>

using namespace breeze;
using namespace breeze::console;

class TestConsolePatches final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestPostgres> m_postgres;
    std::unique_ptr<test::TestFleet> m_fleet;
    test::TestServer* m_server = nullptr;
    net::RestClient* m_admin = nullptr;
    std::unique_ptr<ConsoleConnection> m_connection;
    std::unique_ptr<MainWindow> m_window;
    std::string m_org, m_site, m_device;

    PatchesView& view() { return *m_window->patchesView(); }

    void selectPackage(const QString& name) {
        auto* grid = view().grid();
        grid->clearSelection();
        for (int row = 0; row < grid->model()->rowCount(); ++row)
            if (grid->model()->index(row, 0).data().toString() == name)
                grid->selectRow(row);
    }

    std::string patchId(const std::string& name) {
        const auto response = m_admin->get("/api/v1/patches?q=" + name);
        return response.body["items"][0]["id"];
    }

private Q_SLOTS:
    void initTestCase() {
        m_postgres = std::make_unique<test::TestPostgres>();
        m_fleet = std::make_unique<test::TestFleet>(*m_postgres, "console_patches", "admin@patches.test",
                                                    "Patch MSP", "Fleet", "<b>HQ</b> & Co");
        m_server = m_fleet->server.get();
        m_admin = m_fleet->api.get();
        const auto& credentials = m_fleet->admin;
        m_org = m_fleet->org;
        m_site = m_fleet->site;
        m_device = m_fleet->enroll("desk-01")["device_id"];
        m_postgres->superuserSql(
            "console_patches",
            QString::fromStdString(
                "WITH p AS (INSERT INTO patches (partner_id, manager, name, version) VALUES ('" +
                credentials.partnerId + "', 'apt', 'openssl', '3.0.17'), ('" + credentials.partnerId +
                "', 'apt', 'curl', '7.88.2') RETURNING id, name) INSERT INTO "
                "device_patches (device_id, patch_id, "
                "partner_id, org_id, site_id, state, installed_version, security) SELECT '" +
                m_device + "', id, '" + credentials.partnerId + "', '" + m_org + "', '" + m_site +
                "', 'missing', '1.0', name = 'openssl' FROM p"));
        m_postgres->superuserSql("console_patches",
                                 QString::fromStdString("UPDATE devices SET patches_scanned_at = "
                                                        "now() WHERE id = '" +
                                                        m_device + "'"));

        m_connection = test::consoleConnection(*m_server);
        m_window = std::make_unique<MainWindow>(*m_connection);
        QVERIFY(test::signIn(*m_connection, credentials));
        m_window->resize(1300, 800);
        m_window->showView("patches");
        view().reload();
    }

    void cleanupTestCase() {
        m_window.reset();
        m_connection.reset();
        m_fleet.reset();
        m_postgres.reset();
    }

    void theGridListsWhatDevicesMissAndFilters() {
        QTRY_COMPARE_WITH_TIMEOUT(view().patches().rowCount(), 2, 10000);
        QCOMPARE(view().patches().items().at(0).toObject().value("missing").toInt(), 1);
        QCheckBox* security = nullptr;
        for (auto* box : view().findChildren<QCheckBox*>())
            if (box->text() == "Security updates only")
                security = box;
        QVERIFY(security);
        security->setChecked(true);
        QTRY_COMPARE_WITH_TIMEOUT(view().patches().rowCount(), 1, 10000);
        QCOMPARE(view().patches().items().at(0).toObject().value("name").toString(), QString("openssl"));
        security->setChecked(false);
        QTRY_COMPARE_WITH_TIMEOUT(view().patches().rowCount(), 2, 10000);
        // An empty grid says why.
        for (auto* search : view().findChildren<QLineEdit*>())
            if (search->placeholderText() == "Search packages") {
                search->setText("no-such-package");
                view().reload();
                QTRY_COMPARE_WITH_TIMEOUT(view().status(), QString("No update matches these filters."),
                                          10000);
                search->clear();
                view().reload();
            }
        QTRY_COMPARE_WITH_TIMEOUT(view().patches().rowCount(), 2, 10000);
    }

    void decisionsGoToTheChosenLevel() {
        selectPackage("openssl");
        view().decideSelected("approved"); // partner-wide
        QTRY_COMPARE_WITH_TIMEOUT(view().status(), QString("Decisions recorded."), 10000);
        auto detail = m_admin->get("/api/v1/patches/" + patchId("openssl")).body;
        QVERIFY2(detail["decisions"].size() == 1, detail.dump().c_str());
        QCOMPARE(detail["decisions"][0]["scope"].get<std::string>(), std::string("partner"));
        QCOMPARE(detail["decisions"][0]["decision"].get<std::string>(), std::string("approved"));
        QTRY_VERIFY_WITH_TIMEOUT(
            view().patches().items().size() == 2 &&
                (view().patches().items().at(0).toObject().value("decision") == "approved" ||
                 view().patches().items().at(1).toObject().value("decision") == "approved"),
            10000);
        // For one organisation: a rejection of curl there.
        view().scopeBox()->setCurrentIndex(view().scopeBox()->findText("Fleet"));
        selectPackage("curl");
        view().decideSelected("rejected");
        QTRY_COMPARE_WITH_TIMEOUT(view().status(), QString("Decisions recorded."), 10000);
        detail = m_admin->get("/api/v1/patches/" + patchId("curl")).body;
        QVERIFY2(detail["decisions"].size() == 1, detail.dump().c_str());
        QCOMPARE(detail["decisions"][0]["scope"].get<std::string>(), std::string("org"));
        QCOMPARE(detail["decisions"][0]["org_id"].get<std::string>(), m_org);
        // Nothing selected: said so, nothing sent.
        view().grid()->clearSelection();
        view().decideSelected("approved");
        QCOMPARE(view().status(), QString("Select the updates to decide on first."));
    }

    void deploymentsGoOutNowOrLater() {
        view().deploy("site:" + QString::fromStdString(m_site), {});
        QTRY_VERIFY_WITH_TIMEOUT(view().status().startsWith("Queued for 1 device"), 10000);
        const auto deployments = m_admin->get("/api/v1/patch-deployments").body["items"];
        QCOMPARE(deployments.size(), std::size_t(1));
        // Only the approved update goes; the rejected one stays.
        const std::string command = deployments[0]["summary"]["queued"][0]["command_id"];
        const auto args = m_admin->get("/api/v1/commands/" + command).body["args"]["packages"];
        QCOMPARE(args.size(), std::size_t(1));
        QCOMPARE(args[0]["name"].get<std::string>(), std::string("openssl"));
        view().deploy("org:" + QString::fromStdString(m_org), QDateTime::currentDateTimeUtc().addDays(1));
        QTRY_VERIFY_WITH_TIMEOUT(view().status().startsWith("Scheduled for"), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(view().deployments().rowCount(), 2, 10000);
    }

    void policiesAreMadeAndAssignedInForms() {
        QPointer<RecordForm> form = view().newPolicy();
        QVERIFY(form);
        const auto lines = form->findChildren<QLineEdit*>();
        lines[0]->setText("Weeknights");
        const auto lists = form->findChildren<QListWidget*>();
        QCOMPARE(lists.size(), 2);
        lists[1]->item(1)->setCheckState(Qt::Checked); // Monday
        lists[1]->item(5)->setCheckState(Qt::Checked); // Friday
        lists[0]->item(0)->setCheckState(Qt::Checked); // critical
        form->submit();
        QTRY_VERIFY_WITH_TIMEOUT(!form, 10000); // saved and closed
        const auto policies = m_admin->get("/api/v1/patch-policies").body["items"];
        QCOMPARE(policies.size(), std::size_t(1));
        QCOMPARE(policies[0]["window_days"], nlohmann::json({1, 5}));
        QCOMPARE(policies[0]["window_start"].get<std::string>(), std::string("02:00"));
        QCOMPARE(policies[0]["auto_approve_severities"], nlohmann::json({"critical"}));
        QCOMPARE(policies[0]["reboot"].get<std::string>(), std::string("if_required"));
        QTRY_COMPARE_WITH_TIMEOUT(view().policies().rowCount(), 1, 10000);
        view().policyTable()->selectRow(0);
        // Editing starts from what the policy has and sends only the change.
        QPointer<RecordForm> edit = view().editSelectedPolicy();
        QVERIFY(edit);
        const auto editLists = edit->findChildren<QListWidget*>();
        QCOMPARE(editLists[1]->item(1)->checkState(), Qt::Checked);
        QCOMPARE(editLists[1]->item(2)->checkState(), Qt::Unchecked);
        editLists[1]->item(2)->setCheckState(Qt::Checked); // and Tuesday
        QCOMPARE(edit->body(), (QJsonObject{{"window_days", QJsonArray{1, 2, 5}}}));
        edit->submit();
        QTRY_VERIFY_WITH_TIMEOUT(!edit, 10000);
        QCOMPARE(m_admin->get("/api/v1/patch-policies").body["items"][0]["window_days"],
                 nlohmann::json({1, 2, 5}));
        QTRY_COMPARE_WITH_TIMEOUT(view().policies().rowCount(), 1, 10000);
        view().policyTable()->selectRow(0);
        QPointer<RecordForm> assign = view().assignSelectedPolicy();
        QVERIFY(assign);
        QComboBox* orgs = assign->findChildren<QComboBox*>()[0];
        QTRY_VERIFY_WITH_TIMEOUT(orgs->findText("Fleet") >= 0, 10000);
        orgs->setCurrentIndex(orgs->findText("Fleet"));
        assign->submit();
        QTRY_VERIFY_WITH_TIMEOUT(!assign, 10000);
        QCOMPARE(m_admin->get("/api/v1/patch-policies").body["items"][0]["assignments"].size(),
                 std::size_t(1));
    }

    void aDeviceShowsItsUpdatesAndAsksForScans() {
        DeviceView* device = m_window->openDevice(QString::fromStdString(m_device));
        QVERIFY(device && device->patchesTab());
        DevicePatchesTab& tab = *device->patchesTab();
        tab.reload();
        QTRY_COMPARE_WITH_TIMEOUT(tab.patches().rowCount(), 2, 10000);
        // No agent runs here: the scan waits for the device, and says so.
        tab.scan();
        QTRY_VERIFY_WITH_TIMEOUT(tab.status().contains("pending"), 10000);
        // Nothing is installed: a rollback is refused in words.
        tab.rollBack(0);
        QTRY_VERIFY_WITH_TIMEOUT(tab.status().contains("not installed"), 10000);
        device->close();
    }

    // The status bar says who is signed in where, and counts the scope the tree chose (names as plain text).
    void theStatusBarNamesTheUserTheServerAndTheScope() {
        const auto labels = [this] {
            QStringList texts;
            for (auto* label : m_window->statusBar()->findChildren<QLabel*>())
                if (label->textFormat() == Qt::PlainText)
                    texts << label->text();
            return texts;
        };
        QTRY_VERIFY_WITH_TIMEOUT(labels().filter("admin@patches.test on ").size() == 1, 10000);
        QVERIFY(labels().contains("1 device, 0 online, 1 offline"));
        QTreeView* tree = m_window->fleetTree();
        QModelIndex site;
        std::function<void(const QModelIndex&)> find = [&](const QModelIndex& parent) {
            for (int row = 0; row < tree->model()->rowCount(parent); ++row) {
                const QModelIndex index = tree->model()->index(row, 0, parent);
                if (index.data(FleetTreeModel::IdRole).toString() == QString::fromStdString(m_site))
                    site = index;
                find(index);
            }
        };
        find({});
        QVERIFY(site.isValid());
        tree->setCurrentIndex(site);
        QVERIFY2(labels().contains("<b>HQ</b> & Co: 1 device, 0 online, 1 offline"),
                 qPrintable(labels().join(" | ")));
        tree->setCurrentIndex({});
        QVERIFY(labels().contains("1 device, 0 online, 1 offline"));
    }

    // A command for an offline device is queued, and its tab says it runs when the device is back.
    void anOfflineDeviceQueuesAndSaysSo() {
        DeviceView* device = m_window->openDevice(QString::fromStdString(m_device));
        QVERIFY(device);
        device->showTab("Processes");
        auto* processes = device->findChild<DeviceProcessesTab*>();
        QVERIFY(processes);
        QTRY_VERIFY_WITH_TIMEOUT(processes->status().contains("runs when the device is back"), 10000);
        device->close();
    }

    void complianceIsChartedPerSite() {
        view().reload();
        QTRY_VERIFY_WITH_TIMEOUT(
            view().complianceChart()->chart() &&
                view().complianceChart()->chart()->title().contains("0 of 1 scanned devices"),
            10000);
        QCOMPARE(view().complianceChart()->chart()->series().size(), 1);
        // Site names are another tenant's words: QtCharts draws labels as HTML, so they arrive escaped and
        // read literally.
        const auto axes = view().complianceChart()->chart()->axes(Qt::Horizontal);
        QCOMPARE(axes.size(), 1);
        auto* sites = qobject_cast<QBarCategoryAxis*>(axes.first());
        QVERIFY(sites);
        QCOMPARE(sites->categories(), QStringList{"&lt;b&gt;HQ&lt;/b&gt; &amp; Co"});
        QVERIFY(!m_window->grab().isNull());
    }

    // Decisions at the site and on one device; the grid says which decision applies where one looks and
    // where it comes from; a severity nobody gave reads "—" with the reason.
    void decisionsSayWhereTheyComeFrom() {
        const QString site = QString::fromStdString(m_site);
        m_window->setScope({QString::fromStdString(m_org), site, {}});
        QCOMPARE(view().scopeBox()->currentData().toString(), "site:" + site); // decisions follow the scope
        QTRY_VERIFY_WITH_TIMEOUT(view().patches().rowCount() == 2, 10000);
        const auto applies = [this](const QString& name) {
            for (int row = 0; row < view().patches().rowCount(); ++row)
                if (view().patches().index(row, 0).data().toString() == name)
                    return view().patches().index(row, 7).data().toString();
            return QString();
        };
        QTRY_COMPARE_WITH_TIMEOUT(applies("curl"), QString("rejected (organisation)"), 10000);
        QCOMPARE(applies("openssl"), QString("approved (partner)"));
        QCOMPARE(view().patches().headerData(7, Qt::Horizontal).toString(), QString("Decision here"));
        selectPackage("openssl");
        view().decideSelected("deferred", 3);
        QTRY_COMPARE_WITH_TIMEOUT(applies("openssl"), QString("deferred (site)"), 10000);
        auto detail = m_admin->get("/api/v1/patches/" + patchId("openssl")).body;
        bool atSite = false;
        for (const auto& decision : detail["decisions"])
            atSite |= decision["scope"] == "site" && decision["site_id"] == m_site;
        QVERIFY(atSite);
        QCOMPARE(view().patches().index(0, 2).data().toString(), QString::fromUtf8("—"));
        QVERIFY(view().patches().index(0, 2).data(Qt::ToolTipRole).toString().contains("apt"));

        // On the device: its own decision, and where each one comes from.
        DeviceView* device = m_window->openDevice(QString::fromStdString(m_device));
        device->showTab("Patches");
        DevicePatchesTab* patches = device->patchesTab();
        QTRY_COMPARE_WITH_TIMEOUT(patches->patches().rowCount(), 2, 10000);
        auto* table = patches->findChild<QTableView*>();
        for (int row = 0; row < table->model()->rowCount(); ++row)
            if (table->model()->index(row, 0).data().toString() == "openssl")
                table->selectRow(row);
        patches->decideSelected("approved");
        QTRY_VERIFY_WITH_TIMEOUT(patches->status().contains("Decision recorded"), 10000);
        const auto decisionOf = [&](const QString& name) {
            for (int row = 0; row < patches->patches().rowCount(); ++row)
                if (patches->patches().index(row, 0).data().toString() == name)
                    return patches->patches().index(row, 5).data().toString();
            return QString();
        };
        QTRY_COMPARE_WITH_TIMEOUT(decisionOf("openssl"), QString("approved (device)"), 10000);
        QCOMPARE(decisionOf("curl"), QString("rejected (organisation)")); // a rejection above still wins
        device->close();
        m_window->setScope({});
    }

    // The deploy dialog previews what each device would install, with its window and restart, before
    // anything is sent; the list and the detail of a deployment say the same.
    void deploymentsArePreviewedAndReadTheSameEverywhere() {
        PatchDeployDialog dialog(*m_connection,
                                 {QString::fromStdString(m_org), QString::fromStdString(m_site), {}});
        QTRY_COMPARE_WITH_TIMEOUT(dialog.preview().rowCount(), 1, 10000);
        QCOMPARE(dialog.preview().index(0, 0).data().toString(), QString("desk-01"));
        QVERIFY2(dialog.preview().index(0, 2).data().toString().contains("openssl"),
                 qPrintable(dialog.preview().index(0, 2).data().toString()));
        QVERIFY(!dialog.preview().index(0, 2).data().toString().contains("curl")); // rejected: not installed
        // The policy assigned above: its window in the site's time zone.
        QVERIFY2(dialog.preview().index(0, 3).data().toString().endsWith(" min (UTC)"),
                 qPrintable(dialog.preview().index(0, 3).data().toString()));
        QVERIFY(dialog.deployButton()->isEnabled());
        // Deploying is done on purpose: Enter cancels.
        QVERIFY(!dialog.deployButton()->isDefault() && !dialog.deployButton()->autoDefault());
        QVERIFY(dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Cancel)->isDefault());
        dialog.chooseRestart("never");
        QTRY_COMPARE_WITH_TIMEOUT(dialog.preview().index(0, 4).data().toString(), QString("never restarts"),
                                  10000);
        QCOMPARE(dialog.target().reboot, QString("never"));
        QCOMPARE(dialog.target().id, QString::fromStdString(m_site));
        QCOMPARE(m_admin->get("/api/v1/patch-deployments").body["items"].size(),
                 std::size_t(2)); // nothing sent

        view().reload();
        QTRY_VERIFY_WITH_TIMEOUT(view().deployments().rowCount() == 2, 10000);
        // The device is offline: its install waits, and the list says so in the detail's words.
        QCOMPARE(view().deployments().index(1, 2).data().toString(), QString("installing"));
        QCOMPARE(view().deployments().index(1, 4).data().toString(), QString("1 pending"));
    }
};

QTEST_MAIN(TestConsolePatches)
#include "TestConsolePatches.moc"
