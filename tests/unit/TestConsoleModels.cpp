// The console's device table model: consistent for every view (QAbstractItemModelTester), and live events
// change single rows, not the whole model.
#include "DeviceCommands.h"
#include "DeviceFilterModel.h"
#include "DeviceInventory.h"
#include "DeviceTableModel.h"
#include "FileTransferQueue.h"
#include "FilesystemUsage.h"
#include "FleetTreeModel.h"
#include "JsonTableModel.h"
#include "ListLoader.h"
#include "MetricSeries.h"
#include "PaletteModel.h"
#include "PlainTextMarkup.h"
#include "ProcessSampler.h"
#include "RemoteFileModel.h"
#include "SavedFilterClient.h"
#include "Script.h"
#include "ScriptParameterModel.h"
#include "ScriptValueCheck.h"
#include "TableCsv.h"
#include "TerminalRecording.h"
#include "TerminalScreen.h"
#include "TimeText.h"
#include "UnifiedDiff.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QtTest>

using namespace breeze::console;

namespace {
Device make(const QString& id, const QString& hostname, const QString& status) {
    Device device;
    device.id = id;
    device.hostname = hostname;
    device.status = status;
    device.orgId = "org";
    device.siteId = "site";
    device.approval = "approved";
    return device;
}

QJsonObject liveEvent(const QString& kind, const QString& id, QJsonObject detail = {}) {
    return {{"kind", kind}, {"device_id", id}, {"at", "2026-11-25T12:00:00.000Z"}, {"detail", detail}};
}
} // namespace

class TestConsoleModels final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void agentTextInTooltipsReadsLiterally() {
        // Qt shows a tooltip as rich text whenever it looks like HTML; an agent chooses its identity.
        Device device = make("a", "host", "online");
        device.identity = "<img src=x> <b>root</b> & \"co\"\nline two";
        DeviceTableModel model;
        model.setDevices({device});
        const QString tooltip =
            model.data(model.index(0, DeviceTableModel::Hostname), Qt::ToolTipRole).toString();
        QVERIFY(!tooltip.contains("<img"));
        QVERIFY(!tooltip.contains("<b>"));
        QVERIFY(tooltip.contains("&lt;img src=x&gt; &lt;b&gt;root&lt;/b&gt; &amp; &quot;co&quot;"));
        QVERIFY(tooltip.startsWith("<p style=\"white-space:pre-wrap\">"));
        QCOMPARE(plainTextTooltip(QString()), QString());
        QCOMPARE(plainTextLabel("<i>Shop</i>"), QString("&lt;i&gt;Shop&lt;/i&gt;"));
    }

    void aTakeoverRequestShowsBesideTheDevice() {
        const Device device = Device::fromJson(QJsonObject{
            {"id", "d1"},
            {"hostname", "till-1"},
            {"identity", "machine-1"},
            {"status", "online"},
            {"approval", "approved"},
            {"os", "Debian 12"},
            {"reenrollment",
             QJsonObject{{"hostname", "<b>evil</b>"}, {"os", "Debian 12"}, {"address", "192.0.2.7"}}}});
        DeviceTableModel model;
        model.setDevices({device});
        QCOMPARE(model.data(model.index(0, DeviceTableModel::Status)).toString(),
                 QString("online, takeover requested"));
        const QString tooltip =
            model.data(model.index(0, DeviceTableModel::Status), Qt::ToolTipRole).toString();
        QVERIFY2(tooltip.contains("from 192.0.2.7; hostname till-1 -&gt; &lt;b&gt;evil&lt;/b&gt;"),
                 qPrintable(tooltip));
        QVERIFY(!tooltip.contains("os ")); // only what differs
        QVERIFY(Device::fromJson(QJsonObject{{"id", "d2"}}).takeoverRequest.isEmpty());
    }

    void tableModelStaysConsistentThroughLiveChanges() {
        DeviceTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setDevices(
            {make("a", "alpha", "online"), make("b", "bravo", "offline"), make("c", "charlie", "offline")});
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.onlineCount(), 1);
        QCOMPARE(model.data(model.index(1, DeviceTableModel::Hostname)).toString(), QString("bravo"));
        QCOMPARE(model.data(model.index(0, DeviceTableModel::Cpu)).toString(), QString()); // no heartbeat yet
        Device busy = make("a", "alpha", "online");
        busy.cpuPercent = 87.4;
        busy.memoryPercent = 41.6;
        busy.lastUser = "alice";
        model.upsert(busy);
        QCOMPARE(model.data(model.index(0, DeviceTableModel::Cpu)).toString(), QString("87 %"));
        QCOMPARE(model.data(model.index(0, DeviceTableModel::Memory), DeviceTableModel::SortRole).toDouble(),
                 41.6);
        QCOMPARE(model.data(model.index(0, DeviceTableModel::LastUser)).toString(), QString("alice"));

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QVERIFY(model.applyEvent(
            liveEvent("online", "b", {{"address", "10.0.0.7"}, {"agent_version", "0.2.0"}})));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 1); // that row only
        QCOMPARE(model.data(model.index(1, DeviceTableModel::Status)).toString(), QString("online"));
        QCOMPARE(model.data(model.index(1, DeviceTableModel::Address)).toString(), QString("10.0.0.7"));
        QCOMPARE(model.onlineCount(), 2);
        QVERIFY(model.applyEvent(liveEvent("offline", "a")));
        QCOMPARE(model.onlineCount(), 1);
        QVERIFY(model.data(model.index(0, DeviceTableModel::LastSeen)).toString().startsWith("2026-11-25"));

        QVERIFY(model.applyEvent(liveEvent("revoked", "b")));
        QCOMPARE(model.data(model.index(1, DeviceTableModel::Status)).toString(), QString("revoked"));
        QCOMPARE(model.onlineCount(), 0);

        QVERIFY(!model.applyEvent(liveEvent("online", "unknown"))); // the directory fetches it
        QVERIFY(!model.applyEvent(liveEvent("enrolled", "a")));     // re-enrolled: fetched again
        model.upsert(make("d", "delta", "online"));
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.rowOf("d"), 3);
        QVERIFY(model.applyEvent(liveEvent("deleted", "b")));
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.rowOf("c"), 1); // rows after the removed one moved up, and the index knows
        QCOMPARE(model.rowOf("d"), 2);
        QCOMPARE(model.data(model.index(2, DeviceTableModel::Hostname)).toString(), QString("delta"));
        QCOMPARE(reset.count(), 0);
    }

    void searchAndSortStayConsistentThroughLiveChanges() {
        DeviceTableModel model;
        DeviceFilterModel filter(model);
        QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        filter.sort(DeviceTableModel::Hostname);
        model.setDevices(
            {make("a", "Zulu", "online"), make("b", "alpha", "offline"), make("c", "Mike", "online")});
        QCOMPARE(filter.index(0, 0).data().toString(), QString("alpha")); // case-insensitive order
        QCOMPARE(filter.index(2, 0).data().toString(), QString("Zulu"));
        filter.setSearch("  OFFLINE ");
        QCOMPARE(filter.rowCount(), 1);
        QVERIFY(model.applyEvent(liveEvent("offline", "c")));
        QCOMPARE(filter.rowCount(), 2); // a device that went offline joins the search at once
        QVERIFY(model.applyEvent(liveEvent("online", "b")));
        QCOMPARE(filter.rowCount(), 1);
        QCOMPARE(filter.index(0, 0).data().toString(), QString("Mike"));
        model.upsert(make("d", "bravo", "offline"));
        QCOMPARE(filter.rowCount(), 2);
        filter.setSearch("");
        QCOMPARE(filter.rowCount(), 4);
        QCOMPARE(filter.index(1, 0).data().toString(), QString("bravo"));
    }

    void fleetTreeCountsFollowTheDevices() {
        DeviceTableModel devices;
        FleetTreeModel tree(devices);
        QAbstractItemModelTester tester(&tree, QAbstractItemModelTester::FailureReportingMode::QtTest);
        auto at = [](const QString& id, const QString& org, const QString& site, const QString& status) {
            Device device = make(id, id, status);
            device.orgId = org;
            device.siteId = site;
            return device;
        };
        tree.setTenancy({{"o1", {}, "Zeta", {}}, {"o2", {}, "Acme", {}}},
                        {{"s1", "o1", "Berlin", {}}, {"s2", "o2", "Paris", {}}, {"s3", "o2", "Lyon", {}}});
        devices.setDevices({at("a", "o2", "s2", "online"), at("b", "o2", "s2", "offline"),
                            at("c", "o2", "s3", "online"), at("d", "o1", "s1", "offline")});
        // The partner at the root, then its organisations sorted by name.
        QCOMPARE(tree.rowCount(), 1);
        const QModelIndex root = tree.organisationsRoot();
        QCOMPARE(root.data().toString(), QString("All organisations (2/4 online)"));
        tree.setPartner("p1", "Northwind MSP");
        QCOMPARE(root.data().toString(), QString("Northwind MSP (2/4 online)"));
        QCOMPARE(tree.rowCount(root), 2);
        const QModelIndex acme = tree.index(0, 0, root);
        QCOMPARE(acme.data().toString(), QString("Acme (2/3 online)"));
        QCOMPARE(tree.rowCount(acme), 2);
        QCOMPARE(tree.index(0, 0, acme).data().toString(), QString("Lyon (1/1 online)"));
        const QModelIndex paris = tree.index(1, 0, acme);
        QCOMPARE(paris.data().toString(), QString("Paris (1/2 online)"));

        QVERIFY(devices.applyEvent(liveEvent("online", "b")));
        QCOMPARE(paris.data().toString(), QString("Paris (2/2 online)"));
        QCOMPARE(acme.data().toString(), QString("Acme (3/3 online)"));
        devices.upsert(at("e", "o1", "s1", "online"));
        QCOMPARE(tree.index(1, 0, root).data().toString(), QString("Zeta (1/2 online)"));
        QCOMPARE(root.data().toString(), QString("Northwind MSP (4/5 online)"));
        QVERIFY(devices.applyEvent(liveEvent("deleted", "a")));
        QCOMPARE(paris.data().toString(), QString("Paris (1/1 online)"));
        QCOMPARE(tree.rowCount(paris), 1);
        // A move announced live: the leaf follows to its new site.
        QVERIFY(devices.applyEvent(
            {{"kind", "moved"}, {"device_id", "b"}, {"detail", QJsonObject{{"from", "s2"}, {"to", "s3"}}}}));
        QCOMPARE(tree.index(0, 0, acme).data().toString(), QString("Lyon (2/2 online)"));
        QCOMPARE(paris.data().toString(), QString("Paris (0/0 online)"));
        Device moved = at("c", "o1", "s1", "online"); // moved to another organisation's site
        devices.upsert(moved);
        QCOMPARE(tree.index(1, 0, root).data().toString(), QString("Zeta (2/3 online)"));
        QCOMPARE(acme.data().toString(), QString("Acme (1/1 online)"));
    }

    void fleetTreeShowsGroupsWithinSites() {
        DeviceTableModel devices;
        FleetTreeModel tree(devices);
        QAbstractItemModelTester tester(&tree, QAbstractItemModelTester::FailureReportingMode::QtTest);
        auto at = [](const QString& id, const QString& site, const QString& group, const QString& status) {
            Device device = make(id, id, status);
            device.orgId = "o1";
            device.siteId = site;
            device.groupId = group;
            return device;
        };
        // "Desks" belongs to Berlin; "Servers" is organisation-wide and appears where it has devices.
        tree.setTenancy({{"o1", {}, "Contoso", {}}}, {{"s1", "o1", "Berlin", {}}, {"s2", "o1", "Paris", {}}},
                        {{"g-desks", "o1", "Desks", "s1"}, {"g-servers", "o1", "Servers", {}}});
        devices.setDevices({at("a", "s1", "g-desks", "online"), at("b", "s1", {}, "offline"),
                            at("c", "s2", "g-servers", "online"), at("d", "s1", "g-unknown", "online")});
        const QModelIndex org = tree.index(0, 0, tree.organisationsRoot());
        const QModelIndex berlin = tree.index(0, 0, org);
        const QModelIndex paris = tree.index(1, 0, org);
        QCOMPARE(berlin.data().toString(), QString("Berlin (2/3 online)"));
        QCOMPARE(tree.rowCount(berlin), 3); // Desks, then the ungrouped b and d (an unknown group: its site)
        const QModelIndex desks = tree.index(0, 0, berlin);
        QCOMPARE(static_cast<FleetTreeModel::Kind>(desks.data(FleetTreeModel::KindRole).toInt()),
                 FleetTreeModel::Kind::Group);
        QCOMPARE(desks.data().toString(), QString("Desks (1/1 online)"));
        QCOMPARE(desks.data(FleetTreeModel::SiteIdRole).toString(), QString("s1"));
        QCOMPARE(tree.rowCount(paris), 1);
        const QModelIndex parisServers = tree.index(0, 0, paris);
        QCOMPARE(parisServers.data().toString(), QString("Servers (1/1 online)"));
        QCOMPARE(parisServers.data(FleetTreeModel::SiteIdRole).toString(), QString("s2"));

        // b joins the organisation-wide group: a Servers node appears in Berlin, after Desks.
        QVERIFY(devices.applyEvent(liveEvent("updated", "b", {{"group_id", "g-servers"}})));
        QCOMPARE(tree.rowCount(berlin), 3);
        QCOMPARE(tree.index(1, 0, berlin).data().toString(), QString("Servers (0/1 online)"));
        QCOMPARE(berlin.data().toString(), QString("Berlin (2/3 online)"));
        QVERIFY(devices.applyEvent(liveEvent("online", "b")));
        QCOMPARE(tree.index(1, 0, berlin).data().toString(), QString("Servers (1/1 online)"));
        QCOMPARE(org.data().toString(), QString("Contoso (4/4 online)"));
        // Moving a to Paris leaves Berlin's own group (the server clears it and says so).
        QVERIFY(devices.applyEvent(
            liveEvent("moved", "a", {{"from", "s1"}, {"to", "s2"}, {"group_cleared", true}})));
        QCOMPARE(devices.device("a")->groupId, QString());
        QCOMPARE(desks.data().toString(), QString("Desks (0/0 online)"));
        QCOMPARE(paris.data().toString(), QString("Paris (2/2 online)"));
        // Out of any group: a leaf directly under its site.
        QVERIFY(devices.applyEvent(liveEvent("updated", "c", {{"group_id", QJsonValue::Null}})));
        QCOMPARE(parisServers.data().toString(), QString("Servers (0/0 online)"));

        // The table narrows to a group node: that group's devices in that site.
        DeviceFilterModel filter(devices);
        filter.setScope({}, "s1", "g-servers");
        QCOMPARE(filter.rowCount(), 1);
        filter.setScope({}, "s2", "g-servers");
        QCOMPARE(filter.rowCount(), 0);
        filter.setScope({}, "s1");
        QCOMPARE(filter.rowCount(), 2);
    }

    void tagsAndHeartbeatSummariesArriveLive() {
        DeviceTableModel devices;
        QAbstractItemModelTester tester(&devices, QAbstractItemModelTester::FailureReportingMode::QtTest);
        devices.setDevices({make("a", "alpha", "online"), make("b", "bravo", "online")});
        DeviceFilterModel filter(devices);
        filter.setSearch("web");
        QCOMPARE(filter.rowCount(), 0);
        QVERIFY(devices.applyEvent(liveEvent("updated", "b", {{"tags", QJsonArray{"Web", "prod"}}})));
        QCOMPARE(devices.data(devices.index(1, DeviceTableModel::Tags)).toString(), QString("Web, prod"));
        filter.invalidate();
        QCOMPARE(filter.rowCount(), 1); // tags are searchable, without regard to case

        QSignalSpy changed(&devices, &QAbstractItemModel::dataChanged);
        const QDateTime seen = QDateTime::currentDateTimeUtc().addSecs(-5);
        devices.applySummaries(
            QJsonArray{QJsonObject{{"device_id", "a"},
                                   {"seen_at_ms", static_cast<double>(seen.toMSecsSinceEpoch())},
                                   {"cpu_percent", 42.4},
                                   {"memory_percent", 12.0},
                                   {"last_user", "carol"}},
                       QJsonObject{{"device_id", "unknown"}, {"cpu_percent", 1}},
                       QJsonObject{{"device_id", "b"}, {"cpu_percent", 7}}});
        QCOMPARE(changed.count(), 2); // one row each, unknown devices ignored
        QCOMPARE(changed[0][0].toModelIndex().column(), int(DeviceTableModel::LastUser));
        QCOMPARE(changed[0][1].toModelIndex().column(), int(DeviceTableModel::Memory));
        QCOMPARE(devices.data(devices.index(0, DeviceTableModel::Cpu)).toString(), QString("42 %"));
        QCOMPARE(devices.data(devices.index(0, DeviceTableModel::Memory)).toString(), QString("12 %"));
        QCOMPARE(devices.data(devices.index(0, DeviceTableModel::LastUser)).toString(), QString("carol"));
        QCOMPARE(devices.device("a")->lastSeen.toMSecsSinceEpoch(), seen.toMSecsSinceEpoch());
        QCOMPARE(devices.data(devices.index(1, DeviceTableModel::Cpu)).toString(), QString("7 %"));
        QCOMPARE(devices.data(devices.index(1, DeviceTableModel::Memory)).toString(), QString()); // not sent
    }

    void filesystemsCarryTheirLatestUsage() {
        const QJsonArray inventory{
            QJsonObject{{"mount", "/"}, {"device", "/dev/sda1"}, {"total_bytes", 1000}},
            QJsonObject{{"mount", "/old"}, {"device", "/dev/sdb1"}, {"total_bytes", 50}}};
        const QJsonArray usage{
            QJsonObject{{"mount", "/"}, {"fs_type", "ext4"}, {"total_bytes", 1000}, {"used_bytes", 925}},
            QJsonObject{{"mount", "/new"}, {"fs_type", "xfs"}, {"total_bytes", 400}, {"used_bytes", 100}}};
        const QJsonArray rows = filesystemsWithUsage(inventory, usage);
        QCOMPARE(rows.size(), 3);
        QCOMPARE(rows[0].toObject().value("used_percent").toDouble(), 92.5);
        QCOMPARE(rows[0].toObject().value("device").toString(),
                 QString("/dev/sda1"));                        // the inventory's fields
        QVERIFY(!rows[1].toObject().contains("used_percent")); // not in the heartbeat: no figure, no guess
        QCOMPARE(rows[2].toObject().value("mount").toString(),
                 QString("/new")); // mounted since the inventory
        QCOMPARE(rows[2].toObject().value("used_percent").toDouble(), 25.0);
        QCOMPARE(rows[2].toObject().value("total_bytes").toDouble(), 400.0);
        QCOMPARE(filesystemsWithUsage(inventory, {}).size(), 2);
        // With what is available (df's "Avail"), the share is df's: used ÷ (used + available). Here 5 % of
        // the size is root's reserve, which df does not count as room.
        const QJsonArray dfLike{QJsonObject{
            {"mount", "/"}, {"total_bytes", 1000}, {"used_bytes", 240}, {"available_bytes", 710}}};
        const QJsonObject root = filesystemsWithUsage(inventory, dfLike)[0].toObject();
        QCOMPARE(root.value("used_percent").toDouble(), 25.263157894736842);
        QCOMPARE(root.value("free_bytes").toDouble(), 710.0);
    }

    void inventoryTablesShowWhatTheAgentSent() {
        JsonTableModel model(
            {{"name", "Package"}, {"size_bytes", "Size"}, {"addresses", "Addresses"}, {"up", "Up"}});
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setItems(QJsonArray{QJsonObject{{"name", "bash"},
                                              {"size_bytes", 7340032},
                                              {"addresses", QJsonArray{"10.0.0.1", "fe80::1"}},
                                              {"up", true}},
                                  QJsonObject{{"name", "<script>"}}});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.headerData(1, Qt::Horizontal).toString(), QString("Size"));
        QCOMPARE(model.data(model.index(0, 1)).toString(), QString("7.00 MiB"));
        QCOMPARE(model.data(model.index(0, 1), Qt::UserRole).toDouble(), 7340032.0); // sorts as a number
        QCOMPARE(model.data(model.index(0, 2)).toString(), QString("10.0.0.1, fe80::1"));
        QCOMPARE(model.data(model.index(0, 3)).toString(), QString("yes"));
        QCOMPARE(model.data(model.index(1, 0)).toString(), QString("<script>"));
        QCOMPARE(model.data(model.index(1, 1)).toString(), QString());
    }

    void thePaletteFindsDevicesSitesAndViews() {
        DeviceTableModel devices;
        FleetTreeModel tree(devices);
        tree.setTenancy({{"o1", {}, "Contoso", {}}}, {{"s1", "o1", "Head Office", {}}});
        Device web = make("a", "web-01", "online");
        web.orgId = "o1";
        web.siteId = "s1";
        web.lastAddress = "10.1.2.3";
        devices.setDevices({web, make("b", "db-01", "offline"), make("c", "webhook-relay", "online")});
        PaletteModel palette;
        QAbstractItemModelTester tester(&palette, QAbstractItemModelTester::FailureReportingMode::QtTest);
        palette.rebuild(devices, tree, {{PaletteModel::Kind::View, "dashboard", "Dashboard", {}}});
        QCOMPARE(palette.rowCount(), 1 + 1 + 1 + 3); // view, organisation, site, devices
        const auto labels = [&](const QString& text) {
            QStringList found;
            for (int row : palette.find(text, 10))
                found << palette.entry(row).label;
            return found;
        };
        QCOMPARE(labels("web").size(), 2);
        QCOMPARE(labels("web 10.1").size(), 1); // every word must match
        QCOMPARE(labels("10.1.2")[0], QString("web-01  10.1.2.3"));
        QCOMPARE(labels("head")[0], QString("Head Office — Contoso"));
        QCOMPARE(labels("dash")[0], QString("Dashboard"));
        QCOMPARE(labels("offline")[0], QString("db-01")); // status is searchable too
        QVERIFY(labels("nothing-like-this").isEmpty());
        // Letters in order find what one half remembers, after the entries that hold the piece itself.
        QCOMPARE(labels("wb01")[0], QString("web-01  10.1.2.3"));
        QCOMPARE(labels("hdofc")[0], QString("Head Office — Contoso"));
        palette.rebuild(devices, tree,
                        {{PaletteModel::Kind::Script, "s9", "Clear print queue", {}},
                         {PaletteModel::Kind::Action, "export", "Export device list as CSV", {}}});
        QCOMPARE(labels("print")[0], QString("Clear print queue"));
        QCOMPARE(labels("expcsv")[0], QString("Export device list as CSV"));
        QCOMPARE(labels("re")[0], QString("webhook-relay")); // a word's start before the middle of one
    }

    void theInstallCommandCarriesTheServersCa() {
        const QByteArray pem = "-----BEGIN CERTIFICATE-----\nMIIBAbc+/=\n-----END CERTIFICATE-----\n";
        const QString line =
            agentInstallCommand(QUrl("https://rmm.example.com:8443/some/path"), pem, "enr_SECRET");
        QVERIFY(line.startsWith("printf '%b' '-----BEGIN CERTIFICATE-----\\nMIIBAbc+/=\\n-----END "
                                "CERTIFICATE-----\\n' > /tmp/breeze-ca.pem"));
        QVERIFY(line.contains("--cacert /tmp/breeze-ca.pem -o /tmp/breeze-agent.deb "
                              "'https://rmm.example.com:8443/downloads/breeze-agent_amd64.deb'"));
        QVERIFY(line.contains("breeze-agent enroll --server 'https://rmm.example.com:8443' --key "
                              "'enr_SECRET' --ca /tmp/breeze-ca.pem"));
        QVERIFY(line.endsWith("sudo systemctl enable --now breeze-agent"));
        QVERIFY(!line.contains('\n')); // one line to paste
        // Nothing can break out of the line's quotes: such values are refused, not quoted.
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, agentInstallCommand(QUrl("https://rmm.example.com"),
                                                                            pem, "enr_x'; rm -rf / '"));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, agentInstallCommand(QUrl("https://rmm.example.com"),
                                                                            "'$(reboot)'", "enr_ok"));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 agentInstallCommand(QUrl("http://rmm.example.com"), pem, "enr_ok"));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, agentInstallCommand(QUrl("https://rmm.example.com"),
                                                                            pem, "enr_ok", "https://x/'a"));
    }

    void agentTextIsShownAsItCame() {
        DeviceTableModel model;
        model.setDevices({make("x", "<b>pwned</b><img src=x>", "online")});
        // The model hands the text over untouched; views render it with Qt::PlainText.
        QCOMPARE(model.data(model.index(0, DeviceTableModel::Hostname)).toString(),
                 QString("<b>pwned</b><img src=x>"));
    }

    void scriptParametersEditAsATable() {
        ScriptParameterModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setDefinitions(
            QJsonArray{QJsonObject{{"name", "MODE"},
                                   {"type", "choice"},
                                   {"choices", QJsonArray{"fast", "safe"}},
                                   {"default", "safe"}},
                       QJsonObject{{"name", "TOKEN"}, {"type", "secret"}, {"required", true}}});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(0, ScriptParameterModel::Choices).data().toString(), QString("fast, safe"));
        QCOMPARE(model.index(1, ScriptParameterModel::Required).data(Qt::CheckStateRole).toInt(),
                 int(Qt::Checked));
        // A secret has no default (it would sit in the library in clear), a non-choice no choices.
        QVERIFY(!(model.flags(model.index(1, ScriptParameterModel::Default)) & Qt::ItemIsEditable));
        QVERIFY(!model.setData(model.index(1, ScriptParameterModel::Default), "hunter2"));
        QVERIFY(!(model.flags(model.index(1, ScriptParameterModel::Choices)) & Qt::ItemIsEditable));
        QVERIFY(!model.setData(model.index(0, ScriptParameterModel::Type), "float"));
        QSignalSpy edited(&model, &ScriptParameterModel::edited);
        const int row = model.addParameter();
        QVERIFY(model.setData(model.index(row, ScriptParameterModel::Name), " retry count "));
        QVERIFY(model.setData(model.index(row, ScriptParameterModel::Type), "number"));
        QVERIFY(model.setData(model.index(row, ScriptParameterModel::Default), "3"));
        QVERIFY(model.setData(model.index(0, ScriptParameterModel::Choices), "fast, safe, , slow"));
        QVERIFY(edited.count() >= 4);
        const QJsonArray definitions = model.definitions();
        QCOMPARE(definitions.size(), 3);
        QCOMPARE(definitions[0].toObject().value("choices").toArray(), (QJsonArray{"fast", "safe", "slow"}));
        QVERIFY(!definitions[1].toObject().contains("default"));
        QCOMPARE(definitions[2].toObject().value("name").toString(), QString("retry_count"));
        QCOMPARE(definitions[2].toObject().value("default").toString(), QString("3"));
        model.removeParameter(1);
        QCOMPARE(model.rowCount(), 2);
        // What the server accepts, the model reads back unchanged.
        ScriptParameterModel again;
        again.setDefinitions(model.definitions());
        QCOMPARE(again.definitions(), model.definitions());
    }

    void runValuesAreCheckedByTheServersRules() {
        const QJsonArray parameters{
            QJsonObject{{"name", "COUNT"}, {"type", "number"}, {"required", true}},
            QJsonObject{{"name", "MODE"}, {"type", "choice"}, {"choices", QJsonArray{"a", "b"}}}};
        QCOMPARE(checkScriptValues(parameters, {{"COUNT", "12"}}), QString());
        QCOMPARE(checkScriptValues(parameters, {}), QString("parameter COUNT is required"));
        QVERIFY(checkScriptValues(parameters, {{"COUNT", "twelve"}})
                    .startsWith("parameter COUNT must be a number"));
        QCOMPARE(checkScriptValues(parameters, {{"COUNT", 1}, {"MODE", "c"}}),
                 QString("parameter MODE must be one of: a, b"));
    }

    void versionsDiffLineByLine() {
        const QString before = "#!/bin/bash\necho one\necho two\necho three\n";
        const QString after = "#!/bin/bash\necho one\necho 2\necho three\necho four\n";
        QCOMPARE(
            unifiedDiff(before, after, "version 1", "version 2"),
            QString(
                "--- version 1\n+++ version 2\n@@ -1,4 +1,5 @@\n #!/bin/bash\n echo one\n-echo two\n+echo 2\n"
                " echo three\n+echo four\n"));
        QCOMPARE(unifiedDiff(before, before, "a", "b"), QString());
        QVERIFY(unifiedDiff({}, "new\n", "(empty)", "version 1").contains("+new"));
    }

    // One format for moments: local time to the minute, the exact UTC time on hover, from what PostgreSQL
    // writes.
    // The grid's columns: where the device is by name, how long it has run, the room on its fullest disk, its
    // patches and reboot; search finds a device by any of its addresses, its organisation or its user.
    void theGridNamesPlacesAndShowsUptimeDiskPatches() {
        DeviceTableModel devices;
        QAbstractItemModelTester tester(&devices);
        FleetTreeModel tree(devices);
        Device web = make("1", "web-01", "online");
        web.orgId = "o1";
        web.siteId = "s1";
        web.identity = "machine-id-1";
        web.bootedAt = QDateTime::currentDateTimeUtc().addSecs(-(3 * 86400 + 4 * 3600 + 120));
        web.addresses = {"192.0.2.10", "2001:db8::10"};
        web.fullestDisk = {"/var", 91.4, 2LL << 30, 40LL << 30};
        web.patchesScanned = true;
        web.patchesMissing = 3;
        web.patchesFailed = 1;
        web.rebootRequired = true;
        web.lastUser = "alice";
        Device twin = make("2", "web-01", "offline"); // the same host name elsewhere
        twin.orgId = "o2";
        twin.siteId = "s2";
        twin.identity = "machine-id-2";
        twin.bootedAt = web.bootedAt;
        devices.setDevices({web, twin});
        tree.setTenancy({{"o1", {}, "Contoso", {}}, {"o2", {}, "Fabrikam", {}}},
                        {{"s1", "o1", "Berlin", {}}, {"s2", "o2", "Oslo", {}}});
        const auto cell = [&](int row, int column, int role = Qt::DisplayRole) {
            return devices.data(devices.index(row, column), role);
        };
        QCOMPARE(cell(0, DeviceTableModel::Organisation).toString(), QString("Contoso"));
        QCOMPARE(cell(1, DeviceTableModel::Site).toString(), QString("Oslo"));
        QCOMPARE(cell(0, DeviceTableModel::Uptime).toString(), QString("3 d 4 h"));
        QCOMPARE(cell(1, DeviceTableModel::Uptime).toString(), QString()); // offline: unknown
        QVERIFY(cell(0, DeviceTableModel::FreeDisk).toString().endsWith("(91 % used)"));
        QVERIFY(
            cell(0, DeviceTableModel::FreeDisk, Qt::ToolTipRole).toString().contains("/var: 91.4 % used"));
        QCOMPARE(cell(1, DeviceTableModel::FreeDisk).toString(), QString()); // not reported yet
        QCOMPARE(cell(0, DeviceTableModel::Patches).toString(), QString("3 missing, 1 failed"));
        QCOMPARE(cell(1, DeviceTableModel::Patches).toString(), QString("not scanned"));
        QCOMPARE(cell(0, DeviceTableModel::Reboot).toString(), QString("needed"));
        QCOMPARE(cell(0, DeviceTableModel::Addresses).toString(), QString("192.0.2.10, 2001:db8::10"));
        // Two machines called web-01 are told apart by their place and identity.
        QVERIFY(cell(0, DeviceTableModel::Hostname, Qt::ToolTipRole).toString().contains("machine-id-1"));
        QVERIFY(cell(1, DeviceTableModel::Hostname, Qt::ToolTipRole).toString().contains("Fabrikam / Oslo"));
        DeviceFilterModel filter(devices);
        for (const QString& search : {"2001:db8::10", "contoso", "alice"}) {
            filter.setSearch(search);
            QCOMPARE(filter.rowCount(), 1);
            QCOMPARE(filter.index(0, 0).data(DeviceTableModel::DeviceIdRole).toString(), QString("1"));
        }
        filter.setSearch({});
        // A dashboard tile's condition narrows the list on top of the scope.
        using Condition = DeviceFilterModel::Condition;
        const QList<std::pair<Condition, int>> expected{
            {Condition::Online, 1},     {Condition::Offline, 1},        {Condition::NeedsReboot, 1},
            {Condition::DiskOver90, 1}, {Condition::PatchesMissing, 1}, {Condition::PatchesFailed, 1},
            {Condition::Any, 2}};
        for (const auto& [condition, rows] : expected) {
            filter.setCondition(condition);
            QCOMPARE(filter.rowCount(), rows);
        }
        filter.setCondition(Condition::Listed, {"2"});
        QCOMPARE(filter.index(0, 0).data(DeviceTableModel::DeviceIdRole).toString(), QString("2"));
        filter.setCondition(Condition::Offline);
        filter.setScope({"o1", {}, {}});
        QCOMPARE(filter.rowCount(), 0); // Contoso's one device is online
        // A heartbeat summary moves uptime and disk live.
        devices.applySummaries(QJsonArray{QJsonObject{
            {"device_id", "1"},
            {"seen_at_ms", static_cast<double>(QDateTime::currentMSecsSinceEpoch())},
            {"uptime_seconds", 300},
            {"fullest_filesystem",
             QJsonObject{
                 {"mount", "/"}, {"used_percent", 12.0}, {"available_bytes", 1e9}, {"total_bytes", 2e9}}}}});
        QCOMPARE(cell(0, DeviceTableModel::Uptime).toString(), QString("5 min"));
        QVERIFY(cell(0, DeviceTableModel::FreeDisk).toString().endsWith("(12 % used)"));
        QCOMPARE(TimeText::span(59), QString("< 1 min"));
        QCOMPARE(TimeText::span(2 * 3600 + 7 * 60), QString("2 h 7 min"));
        // A patch scan or a new address fetches the row again; other inventory does not.
        QVERIFY(!devices.applyEvent(liveEvent("patches_changed", "1")));
        QVERIFY(!devices.applyEvent(liveEvent("inventory_changed", "1", {{"section", "interfaces"}})));
        QVERIFY(devices.applyEvent(liveEvent("inventory_changed", "1", {{"section", "software"}})));
        QVERIFY(devices.applyEvent(liveEvent("patches_changed", "unknown")));
    }

    // CSV for spreadsheets: quoted where needed, and an agent's "=formula" stays text.
    void csvExportsQuoteAndDefuseFormulas() {
        QStandardItemModel model(3, 2);
        model.setHorizontalHeaderLabels({"Host name", "Tags"});
        model.setItem(0, 0, new QStandardItem("=HYPERLINK(\"http://evil\")"));
        model.setItem(0, 1, new QStandardItem("web, prod"));
        model.setItem(1, 0, new QStandardItem("-2+3"));
        model.setItem(1, 1, new QStandardItem("line\nbreak"));
        model.setItem(2, 0, new QStandardItem("plain"));
        model.setItem(2, 1, new QStandardItem("@SUM(A1)"));
        const QByteArray csv = tableCsv(model, {1, 0});
        QVERIFY(csv.startsWith("\xEF\xBB\xBF"));
        QCOMPARE(QString::fromUtf8(csv.mid(3)),
                 QString("Tags,Host name\r\n"
                         "\"web, prod\",\"'=HYPERLINK(\"\"http://evil\"\")\"\r\n"
                         "\"line\nbreak\",'-2+3\r\n"
                         "'@SUM(A1),plain\r\n"));
    }

    // A task manager's figures from two listings: CPU share of the whole machine between them, memory share.
    void processListingsGiveCpuAndMemoryShares() {
        ProcessSampler sampler;
        const auto listing = [](qint64 at, double webSeconds, const QString& secondName) {
            return QJsonObject{
                {"monotonic_ms", static_cast<double>(at)},
                {"cpu_count", 4},
                {"memory_total_bytes", 1000.0},
                {"processes",
                 QJsonArray{
                     QJsonObject{
                         {"pid", 10}, {"name", "web"}, {"cpu_seconds", webSeconds}, {"rss_bytes", 250.0}},
                     QJsonObject{
                         {"pid", 11}, {"name", secondName}, {"cpu_seconds", 1.0}, {"rss_bytes", 10.0}}}}};
        };
        QJsonArray first = sampler.add(listing(1000, 10.0, "db"));
        QVERIFY(!first[0].toObject().contains("cpu_percent")); // nothing to compare with yet
        QCOMPARE(first[0].toObject().value("memory_percent").toDouble(), 25.0);
        // 2 CPU seconds over 2 s on 4 processors: a quarter of the machine.
        const QJsonArray second = sampler.add(listing(3000, 12.0, "other"));
        QCOMPARE(second[0].toObject().value("cpu_percent").toDouble(), 25.0);
        QVERIFY(!second[1].toObject().contains("cpu_percent")); // PID 11 is another process now
        // An agent restarted (its clock went back): no share rather than a wrong one.
        QVERIFY(!sampler.add(listing(500, 13.0, "other"))[0].toObject().contains("cpu_percent"));
        JsonTableModel shown({{"cpu_percent", "CPU"}});
        shown.setItems(second);
        QCOMPARE(shown.index(0, 0).data().toString(), QString("25.0 %"));
    }

    void savedFilterConditionsHaveTheServersNames() {
        using Condition = DeviceFilterModel::Condition;
        for (const auto condition :
             {Condition::Online, Condition::Offline, Condition::NeedsReboot, Condition::DiskOver90,
              Condition::PatchesMissing, Condition::PatchesFailed, Condition::Listed}) {
            const QString name = SavedFilterClient::conditionName(condition);
            QVERIFY(!name.isEmpty());
            QCOMPARE(SavedFilterClient::conditionNamed(name), condition);
        }
        QCOMPARE(SavedFilterClient::conditionName(Condition::Any), QString());
        QCOMPARE(SavedFilterClient::conditionNamed("on fire"), Condition::Any);
    }

    void momentsShowInLocalTimeWithTheExactUtcOnHover() {
        const QDateTime at = TimeText::parse("2026-12-07T03:17:45.913143+00:00");
        QVERIFY(at.isValid());
        QCOMPARE(at.toUTC(), QDateTime(QDate(2026, 12, 7), QTime(3, 17, 45, 913), Qt::UTC));
        QCOMPARE(TimeText::exactUtc(at), QString("2026-12-07 03:17:45.913 UTC"));
        QCOMPARE(TimeText::local(at), at.toLocalTime().toString("yyyy-MM-dd HH:mm"));
        QCOMPARE(TimeText::parse("2026-12-07T03:17:45Z").toUTC().time(), QTime(3, 17, 45));
        QVERIFY(!TimeText::parse("yesterday").isValid());
        QCOMPARE(TimeText::local({}), QString());
        JsonTableModel model({{"name", "Name"}, {"created_at", "Created"}});
        model.setItems(
            {QJsonObject{{"name", "2026-12-07T03:17:45Z"}, {"created_at", "2026-12-07T03:17:45.5Z"}}});
        QCOMPARE(model.data(model.index(0, 1)).toString(),
                 TimeText::local(TimeText::parse("2026-12-07T03:17:45Z")));
        QCOMPARE(model.data(model.index(0, 1), Qt::ToolTipRole).toString(),
                 QString("2026-12-07 03:17:45.500 UTC"));
        // Only time fields are read as times; the raw value still sorts.
        QCOMPARE(model.data(model.index(0, 0)).toString(), QString("2026-12-07T03:17:45Z"));
        QCOMPARE(model.data(model.index(0, 1), Qt::UserRole).toString(), QString("2026-12-07T03:17:45.5Z"));
    }

    // Raw samples carry counters: rates come from neighbours, and a counter that went back (the agent
    // restarted) leaves a gap rather than a negative spike. Rollups carry bytes per hour.
    void metricSeriesTurnCountersIntoRates() {
        const auto point = [](const char* at, double cpu, double rx, double tx) {
            return QJsonObject{{"at", at},
                               {"cpu_percent", cpu},
                               {"memory_used", 512.0},
                               {"memory_total", 2048.0},
                               {"disk_used_percent", 40.0},
                               {"net_rx_bytes", rx},
                               {"net_tx_bytes", tx}};
        };
        const QJsonArray points{point("2026-12-07T10:00:00.000Z", 10, 0, 0),
                                point("2026-12-07T10:00:10.000Z", 20, 102400, 10240),
                                point("2026-12-07T10:00:20.000Z", 30, 1024, 0)}; // counters reset
        const MetricSeries raw = MetricSeries::fromPoints("1h", "raw", points);
        QCOMPARE(raw.cpu.size(), 3);
        QCOMPARE(raw.cpu[2].y(), 30.0);
        QCOMPARE(raw.memory[0].y(), 25.0);
        QCOMPARE(raw.received.size(), 1);    // none for the first sample, none across the reset
        QCOMPARE(raw.received[0].y(), 10.0); // 100 KiB in 10 s
        QCOMPARE(raw.sent[0].y(), 1.0);
        QCOMPARE(raw.networkPeak, 10.0);
        const MetricSeries hourly = MetricSeries::fromPoints(
            "7d", "hourly",
            {QJsonObject{
                {"at", "2026-12-07T10:00:00.000Z"}, {"cpu_avg", 5.0}, {"net_rx_bytes", 3600.0 * 1024 * 2}}});
        QCOMPARE(hourly.cpu[0].y(), 5.0);
        QCOMPARE(hourly.received[0].y(), 2.0);
        QVERIFY(MetricSeries::fromPoints("24h", "raw", {}).isEmpty());
    }

    // What the editor saves is what it loaded, field for field; a new script defaults to bash on Linux and
    // macOS.
    void scriptsRoundTripTheirRecord() {
        const QJsonObject record{{"id", "s1"},
                                 {"org_id", "o1"},
                                 {"name", "Greeting"},
                                 {"language", "python"},
                                 {"category", "tools"},
                                 {"description", "says hello"},
                                 {"run_as", "nobody"},
                                 {"content", "print('hi')\n"},
                                 {"timeout_seconds", 60},
                                 {"version", 3},
                                 {"os", QJsonArray{"windows"}},
                                 {"parameters", QJsonArray{QJsonObject{{"name", "WHO"},
                                                                       {"type", "choice"},
                                                                       {"required", true},
                                                                       {"choices", QJsonArray{"a", "b"}}}}}};
        const Script script = Script::fromRecord(record);
        QCOMPARE(script.os, QStringList{"windows"});
        QCOMPARE(script.parameters().size(), 1);
        QCOMPARE(script.parameters()[0].choices, QStringList({"a", "b"}));
        QVERIFY(script.parameters()[0].required);
        QCOMPARE(script.record(), record);
        const Script fresh;
        QVERIFY(!fresh.isSaved());
        QCOMPARE(fresh.language, QString("bash"));
        QCOMPARE(fresh.os, QStringList({"linux", "macos"}));
        QVERIFY(!fresh.record().contains("id"));
        QCOMPARE(checkRunValues(script, {}), QString("parameter WHO is required"));
        QCOMPARE(checkRunValues(script, {{"WHO", "a"}}), QString());
    }

    // What the device tables act on and what the bulk menu sends.
    void deviceChangesAndCommandsAreWhatTheServerTakes() {
        QCOMPARE(DeviceChange::group({}).body, (QJsonObject{{"group_id", QJsonValue::Null}}));
        QCOMPARE(DeviceChange::addTag("web").body, (QJsonObject{{"add_tags", QJsonArray{"web"}}}));
        QCOMPARE(DeviceCommand::endProcess(42, true).args, (QJsonObject{{"pid", 42}, {"signal", "KILL"}}));
        QCOMPARE(DeviceCommand::restart(300).type, QString("reboot"));
        const CommandOutcome failed = CommandOutcome::fromJson(
            {{"status", "failed"}, {"output", QJsonObject{{"output", "no such unit"}}}});
        QVERIFY(!failed.completed());
        QCOMPARE(failed.message, QString("no such unit"));
        const DeviceInventory inventory = DeviceInventory::fromSections(
            {{"os", QJsonObject{{"data", QJsonObject{{"kernel", "6.1.0"}}}}},
             {"hardware", QJsonObject{{"data", QJsonObject{{"cpu_cores", 4}, {"bios_vendor", "SeaBIOS"}}}}}});
        QCOMPARE(inventory.kernel, QString("6.1.0"));
        QCOMPARE(inventory.hardware.cpuCores, 4);
        QCOMPARE(inventory.hardware.bios, QString("SeaBIOS"));
        QVERIFY(inventory.serviceStatesKnown); // no services: nothing to explain
        const auto services = [](QJsonArray list) {
            return DeviceInventory::fromSections({{"services", QJsonObject{{"data", list}}}});
        };
        QVERIFY(!services({QJsonObject{{"name", "ssh.service"}, {"enabled", "enabled"}}}).serviceStatesKnown);
        QVERIFY(!services({QJsonObject{{"name", "ssh.service"}, {"state", "unknown"}}}).serviceStatesKnown);
        QVERIFY(services({QJsonObject{{"name", "ssh.service"}, {"state", "active"}}}).serviceStatesKnown);
        // A command reads as text: a ping's round trip, an error, printed output as printed.
        const QString ping = commandText({{"type", "ping"},
                                          {"status", "completed"},
                                          {"sent_at", "2026-12-07T10:00:00.100Z"},
                                          {"finished_at", "2026-12-07T10:00:00.142Z"},
                                          {"output", QJsonObject{{"pong", true}}}});
        QVERIFY2(ping.startsWith("ping — completed, round trip 42 ms"), qPrintable(ping));
        QVERIFY(ping.contains("pong: true"));
        const QString service =
            commandText({{"type", "service_action"},
                         {"status", "failed"},
                         {"exit_code", 5},
                         {"error", "the unit did not start"},
                         {"output", QJsonObject{{"output", "line one\nline \"two\"\n"}}}});
        QVERIFY(service.startsWith("service_action — failed, exit code 5\n\nthe unit did not start"));
        QVERIFY(service.contains("output:\nline one\nline \"two\"\n"));
        QCOMPARE(commandText({}), QString());
        QVERIFY(!inventory.hardware.memoryBytes);
    }

    void aDeviceCannotSteerWhereDownloadsLand() {
        // Names a device sends in a listing: those that are not one name are left out.
        const auto named = [](const QByteArray& name) {
            return RemoteFiles::entryOf({{"name", QString::fromLatin1(name.toBase64())}, {"type", "file"}});
        };
        for (const QByteArray& bad : {QByteArray(".."), QByteArray("."), QByteArray(""), QByteArray("../x"),
                                      QByteArray("/etc/passwd"), QByteArray("a\0b", 3), QByteArray(300, 'a')})
            QVERIFY2(!named(bad).has_value(), bad.constData());
        for (const QByteArray& good : {QByteArray("-dash"), QByteArray("new\nline"), QByteArray("..."),
                                       QByteArray("\xff\xfe not utf-8"), QByteArray(".hidden")})
            QVERIFY(named(good).has_value());
        QCOMPARE(RemoteFiles::entryOf({{"name", "YQ=="}, {"type", "socket"}})->type, QString("other"));
        // And a local path is used only when it stays inside the folder chosen for it.
        QVERIFY(FileTransferQueue::landsInside("/tmp/down/a.txt", "/tmp/down"));
        QVERIFY(FileTransferQueue::landsInside("/tmp/down/sub/../b", "/tmp/down"));
        QVERIFY(!FileTransferQueue::landsInside("/tmp/down/..", "/tmp/down"));
        QVERIFY(!FileTransferQueue::landsInside("/tmp/down/../other/x", "/tmp/down"));
        QVERIFY(!FileTransferQueue::landsInside("/tmp/downloads-elsewhere/x", "/tmp/down"));
        QVERIFY(!FileTransferQueue::landsInside("/tmp/down", "/tmp/down"));
        QVERIFY(!FileTransferQueue::landsInside("/tmp/down/x", ""));
    }

    void remoteListingsSortFoldersFirstAndShowModes() {
        RemoteFileModel model;
        QAbstractItemModelTester tester(&model);
        RemoteFileEntry big{"big.bin", "file", 5000, 10, 0644, "root", "root", {}};
        RemoteFileEntry small{"a.txt", "file", 10, 20, 04755, "root", "root", {}};
        RemoteFileEntry folder{"zeta", "dir", 4096, 5, 01777, "root", "root", {}};
        RemoteFileEntry link{"link", "link", 4, 5, 0777, "root", "root", "/etc"};
        model.setEntries({big, small, folder, link});
        model.sort(RemoteFileModel::Size, Qt::DescendingOrder);
        QCOMPARE(model.entry(0)->name, QByteArray("zeta")); // folders first, whichever way
        QCOMPARE(model.entry(1)->name, QByteArray("big.bin"));
        model.sort(RemoteFileModel::Name, Qt::AscendingOrder);
        QCOMPARE(model.entry(0)->name, QByteArray("zeta"));
        QCOMPARE(model.entry(1)->name, QByteArray("a.txt"));
        QCOMPARE(RemoteFileModel::modeText(folder), QString("drwxrwxrwt"));
        QCOMPARE(RemoteFileModel::modeText(small), QString("-rwsr-xr-x"));
        QCOMPARE(RemoteFileModel::modeText(link), QString("lrwxrwxrwx"));
        QVERIFY(model.data(model.index(model.rowOfName("link"), 0), Qt::DisplayRole)
                    .toString()
                    .endsWith("→ /etc"));
    }

    void terminalKeysSendWhatAShellReads() {
        TerminalScreen screen(80, 24);
        const auto key = [&](int k, Qt::KeyboardModifiers m = Qt::NoModifier, const QString& text = {}) {
            return screen.key(k, m, text);
        };
        QCOMPARE(key(Qt::Key_C, Qt::ControlModifier, "\x03"), QByteArray("\x03"));
        QCOMPARE(key(Qt::Key_BracketLeft, Qt::ControlModifier), QByteArray("\x1b"));
        QCOMPARE(key(Qt::Key_Space, Qt::ControlModifier), QByteArray(1, '\0'));
        QCOMPARE(key(Qt::Key_Return), QByteArray("\r"));
        QCOMPARE(key(Qt::Key_Return, Qt::ShiftModifier), QByteArray("\r"));
        QCOMPARE(key(Qt::Key_Backspace), QByteArray("\x7f"));
        QCOMPARE(key(Qt::Key_Escape, Qt::ShiftModifier), QByteArray("\x1b"));
        QCOMPARE(key(Qt::Key_X, Qt::AltModifier, "x"), QByteArray("\x1bx"));
        QCOMPARE(key(Qt::Key_Backtab, Qt::ShiftModifier), QByteArray("\x1b[Z"));
        QCOMPARE(key(Qt::Key_Up), QByteArray("\x1b[A"));
        QCOMPARE(key(Qt::Key_F5), QByteArray("\x1b[15~"));
        QCOMPARE(key(Qt::Key_Eacute, Qt::NoModifier, QString::fromUtf8("é")),
                 QString::fromUtf8("é").toUtf8());
        // Application cursor keys, as vim and less turn them on.
        screen.feed("\x1b[?1h");
        QCOMPARE(key(Qt::Key_Up), QByteArray("\x1bOA"));
        // A paste is bracketed only when the program asked, and carries no escapes of its own.
        QCOMPARE(screen.paste("a\nb"), QByteArray("a\rb"));
        screen.feed("\x1b[?2004h");
        QCOMPARE(screen.paste("x\x1b[201~rm -rf ~\n"), QByteArray("\x1b[200~x[201~rm -rf ~\r\x1b[201~"));
    }

    void terminalScreenKeepsScrollbackAndFindsText() {
        TerminalScreen screen(20, 5, 100);
        for (int i = 1; i <= 150; ++i)
            screen.feed(QByteArray::number(i) + "\r\n");
        QCOMPARE(screen.scrollbackCount(), 100);
        QCOMPARE(screen.lineText(0), QString("47")); // the 100 lines before the screen's five
        QCOMPARE(screen.droppedLines(), qint64(46)); // 146 pushed off the screen, 100 kept
        const int generation = screen.generation();
        const auto found = screen.find("120");
        QCOMPARE(found.size(), 1);
        QVERIFY(found.first().y() < screen.scrollbackCount());
        QCOMPARE(screen.lineText(found.first().y()), QString("120"));
        // After wide characters a match starts at its cell, not at its place in the text, and covers its
        // cells.
        screen.feed("\xe6\x97\xa5\xe6\x9c\xac find me\r\n");
        const auto wide = screen.find("find");
        QCOMPARE(wide.size(), 1);
        QCOMPARE(wide.first().x(), 5); // two wide characters (four cells) and a space
        QCOMPARE(screen.matchCells(wide.first(), "find"), 4);
        const auto spanning = screen.find("\u672c f");
        QCOMPARE(spanning.size(), 1);
        QCOMPARE(spanning.first().x(), 2);
        QCOMPARE(screen.matchCells(spanning.first(), "\u672c f"), 4);
        // A combining accent stays on its letter (e + U+0301 is one cell, é).
        screen.feed("cafe\xcc\x81 ok\r\n");
        QCOMPARE(screen.lineText(screen.lineCount() - 2).normalized(QString::NormalizationForm_C),
                 QString("café ok"));
        QCOMPARE(screen.find("ok").first().x(), 5);
        screen.feed("\x1b[1;31mred\x1b[0m");
        const TerminalCell red = screen.cell(screen.lineCount() - 1, 0);
        QCOMPARE(red.text(), QString("r"));
        QVERIFY(red.bold && !red.defaultFg);
        screen.reset();
        QCOMPARE(screen.scrollbackCount(), 0);
        QCOMPARE(screen.droppedLines(), qint64(0));
        QVERIFY(screen.generation() != generation);
    }

    void terminalRecordingsAreReadStrictlyAndSeek() {
        const QByteArray cast = "{\"version\": 2, \"width\": 20, \"height\": 5}\n"
                                "[0.5, \"o\", \"first\\r\\n\"]\n"
                                "[1.0, \"r\", \"30x6\"]\n"
                                "[2.0, \"o\", \"\\u001b[31msecond\\u001b[0m\\r\\n\"]\n"
                                "[2.5, \"i\", \"typed\"]\n";
        const auto recording = TerminalRecording::parse(cast);
        QCOMPARE(recording.cols(), 20);
        QCOMPARE(recording.duration(), 2.5);
        TerminalScreen screen(10, 10);
        recording.seek(screen, 1.5);
        QCOMPARE(screen.cols(), 30);
        QCOMPARE(screen.lineText(screen.scrollbackCount()), QString("first"));
        QVERIFY(screen.find("second").isEmpty());
        recording.seek(screen, 3);
        QCOMPARE(screen.find("second").size(), 1);
        QCOMPARE(recording.find("second"), QVector<double>{2.0}); // escapes aside
        QVERIFY(recording.find("typed").isEmpty());               // input is not output
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, TerminalRecording::parse("{\"version\": 1}\n"));
        QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                                 TerminalRecording::parse("{\"version\": 2}\n[\"x\", \"o\", \"y\"]\n"));
    }
};

QTEST_GUILESS_MAIN(TestConsoleModels)
#include "TestConsoleModels.moc"
