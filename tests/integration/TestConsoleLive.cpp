// The console core against a real server with a real agent: it signs in, loads the devices, and its model
// follows the agent going offline and coming back, its heartbeats, a bulk change of group and tags, a new
// enrollment and a revocation, live — loading the list only once.
#include "ApiClient.h"
#include "BulkDeviceUpdate.h"
#include "CommandRunner.h"
#include "DeviceDirectory.h"
#include "FleetTreeModel.h"
#include "ListLoader.h"
#include "LiveChannel.h"
#include "SignInSession.h"
#include "TestAgent.h"
#include "TestFleet.h"
#include "TestPostgres.h"
#include "TestServer.h"

#include <QFile>
#include <QSignalSpy>
#include <QtTest>

using namespace breeze;
using namespace breeze::console;

class TestConsoleLive final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestPostgres> m_postgres;
    std::unique_ptr<test::TestFleet> m_fleet;
    test::TestServer* m_server = nullptr;
    net::RestClient* m_admin = nullptr;
    test::AdminCredentials m_credentials;
    std::string m_site;

    QString status(const DeviceTableModel& model, const std::string& id) {
        const int row = model.rowOf(QString::fromStdString(id));
        return row < 0 ? QString() : model.data(model.index(row, DeviceTableModel::Status)).toString();
    }

private Q_SLOTS:
    void initTestCase() {
        m_postgres = std::make_unique<test::TestPostgres>();
        m_fleet = std::make_unique<test::TestFleet>(
            *m_postgres, "console_live", "admin@live.test", "Live MSP", "Live", "Live HQ",
            std::map<std::string, std::string>{{"agents.heartbeat_seconds", "1"}});
        m_server = m_fleet->server.get();
        m_admin = m_fleet->api.get();
        m_credentials = m_fleet->admin;
        m_site = m_fleet->site;
    }

    void signInRefusesWrongPasswordsInWords() {
        QFile ca(QString::fromStdString(m_server->caFile()));
        QVERIFY(ca.open(QIODevice::ReadOnly));
        ApiClient api(QUrl(QString::fromStdString(m_server->url())), QSslCertificate::fromData(ca.readAll()));
        SignInSession session(api);
        QSignalSpy failed(&session, &SignInSession::failed);
        session.signIn(QString::fromStdString(m_credentials.email), "wrong password", "000000");
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 10000);
        QVERIFY(!failed.at(0).at(1).toString().isEmpty());
        QVERIFY(!session.signedIn());
        // A server whose certificate is not the pinned CA's is refused, not trusted.
        ApiClient stranger(QUrl(QString::fromStdString(m_server->url())), {});
        ApiReply answer;
        bool done = false;
        stranger.get("/healthz", [&](const ApiReply& reply) {
            answer = reply;
            done = true;
        });
        QTRY_VERIFY_WITH_TIMEOUT(done, 10000);
        QCOMPARE(answer.status, 0);
        QVERIFY(answer.errorMessage.contains("certificate"));
    }

    void theModelFollowsTheFleetLive() {
        const auto key =
            m_admin->post("/api/v1/enrollment-keys", {{"site_id", m_site}, {"expires_in_seconds", 600}});
        test::TestAgent::Options options;
        options.identity = "live-01";
        test::TestAgent agent(*m_server, key.body["key"], options);
        agent.start();
        QTRY_VERIFY_WITH_TIMEOUT(
            m_admin->get("/api/v1/devices/" + agent.deviceId()).body["status"] == "online", 15000);

        const std::string orgId = m_admin->get("/api/v1/sites/" + m_site).body["org_id"];
        const std::string kiosks =
            m_admin->post("/api/v1/groups", {{"org_id", orgId}, {"site_id", m_site}, {"name", "Kiosks"}})
                .body["id"];

        QFile ca(QString::fromStdString(m_server->caFile()));
        QVERIFY(ca.open(QIODevice::ReadOnly));
        ApiClient api(QUrl(QString::fromStdString(m_server->url())), QSslCertificate::fromData(ca.readAll()));
        SignInSession session(api);
        LiveChannel live(api);
        DeviceTableModel model;
        FleetTreeModel tree(model);
        DeviceDirectory directory(api, live, model, tree);
        QSignalSpy loaded(&directory, &DeviceDirectory::loaded);
        QObject::connect(&session, &SignInSession::accessTokenChanged, &live, &LiveChannel::renew);
        session.signIn(QString::fromStdString(m_credentials.email),
                       QString::fromStdString(m_credentials.password),
                       QString::fromStdString(test::totpNext(m_credentials.totpSecret)));
        QTRY_VERIFY_WITH_TIMEOUT(session.signedIn(), 10000);
        live.start();
        directory.reload();
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(live.state(), LiveChannel::State::Connected, 10000);
        QCOMPARE(status(model, agent.deviceId()), QString("online"));
        QCOMPARE(model.onlineCount(), 1);
        // The administration lists page through the REST API.
        QJsonArray sites;
        bool listed = false;
        loadAllPages(api, "/api/v1/sites", [&](const QJsonArray& items, const QString&) {
            sites = items;
            listed = true;
        });
        QTRY_VERIFY_WITH_TIMEOUT(listed, 10000);
        QCOMPARE(sites.size(), 1);
        QCOMPARE(sites[0].toObject().value("name").toString(), QString("Live HQ"));

        // The tree: organisation, site, device, with counts.
        QCOMPARE(tree.rowCount(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(tree.organisationsRoot().data().toString(),
                                  QString("Live MSP (1/1 online)"),
                                  10000); // the partner's name, from /auth/me
        const QModelIndex org = tree.index(0, 0, tree.organisationsRoot());
        QCOMPARE(org.data().toString(), QString("Live (1/1 online)"));
        QCOMPARE(tree.index(0, 0, org).data().toString(), QString("Live HQ (1/1 online)"));
        QCOMPARE(tree.rowCount(tree.index(0, 0, org)), 2); // the Kiosks group, then the device
        QCOMPARE(tree.index(0, 0, tree.index(0, 0, org)).data().toString(), QString("Kiosks (0/0 online)"));

        // Heartbeats keep the row's figures and last-seen time current without a reload.
        const QString device = QString::fromStdString(agent.deviceId());
        const QDateTime seenAtLoad = model.device(device)->lastSeen;
        QTRY_VERIFY_WITH_TIMEOUT(model.device(device)->lastSeen > seenAtLoad.addMSecs(1500), 10000);
        QVERIFY(model.device(device)->cpuPercent >= 0);
        // An open device window watches its device: whole samples follow, with each filesystem's fill.
        QSignalSpy samples(&live, &LiveChannel::metricSample);
        live.watch({device});
        QTRY_VERIFY_WITH_TIMEOUT(!samples.isEmpty(), 10000);
        const QJsonObject sample = samples.last().at(0).toJsonObject();
        QCOMPARE(sample.value("device_id").toString(), device);
        QVERIFY(!sample.value("filesystems").toArray().isEmpty());
        QVERIFY(sample.value("filesystems").toArray()[0].toObject().value("total_bytes").toDouble() > 0);
        live.watch({});

        // A bulk change from the console, its progress counted, the result arriving through the live channel.
        auto* update = new BulkDeviceUpdate(
            api, {device}, {{"group_id", QString::fromStdString(kiosks)}, {"add_tags", QJsonArray{"kiosk"}}});
        QSignalSpy progress(update, &BulkDeviceUpdate::progress);
        QSignalSpy changed(update, &BulkDeviceUpdate::finished);
        update->start();
        QTRY_COMPARE_WITH_TIMEOUT(changed.count(), 1, 10000);
        QCOMPARE(changed.at(0).at(0).toInt(), 1);
        QCOMPARE(changed.at(0).at(1).toInt(), 0);
        QCOMPARE(progress.count(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(tree.index(0, 0, tree.index(0, 0, org)).data().toString(),
                                  QString("Kiosks (1/1 online)"), 10000);
        QCOMPARE(model.device(device)->tags, QStringList{"kiosk"});
        // A change the server refuses is counted and explained, not lost.
        auto* refusedUpdate = new BulkDeviceUpdate(api, {device, device}, {{"add_tags", QJsonArray{" bad"}}});
        QSignalSpy refusedChange(refusedUpdate, &BulkDeviceUpdate::finished);
        refusedUpdate->start();
        QTRY_COMPARE_WITH_TIMEOUT(refusedChange.count(), 1, 10000);
        QCOMPARE(refusedChange.at(0).at(1).toInt(), 2);
        QVERIFY(refusedChange.at(0).at(2).toString().contains("add_tags"));

        QCOMPARE(agent.stop(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(status(model, agent.deviceId()), QString("offline"), 10000);
        QCOMPARE(org.data().toString(), QString("Live (0/1 online)"));
        agent.start();
        QTRY_COMPARE_WITH_TIMEOUT(status(model, agent.deviceId()), QString("online"), 15000);

        // A machine enrolled while the console is open appears without a reload.
        const auto key2 =
            m_admin->post("/api/v1/enrollment-keys", {{"site_id", m_site}, {"expires_in_seconds", 600}});
        const std::string newcomer =
            m_server->client()
                ->post("/api/v1/agent/enroll", {{"key", key2.body["key"]}, {"identity", "live-02"}})
                .body["device_id"];
        QTRY_VERIFY_WITH_TIMEOUT(model.rowOf(QString::fromStdString(newcomer)) >= 0, 10000);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(org.data().toString(), QString("Live (1/2 online)"));

        // A command from the console, its outcome reported through the live channel.
        CommandRunner runner(api, live);
        QSignalSpy finished(&runner, &CommandRunner::finished);
        runner.send(QString::fromStdString(agent.deviceId()), "list_processes", {}, "mine");
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 15000);
        QCOMPARE(finished.at(0).at(0).toString(), QString("mine"));
        const QJsonObject command = finished.at(0).at(1).toJsonObject();
        QCOMPARE(command.value("status").toString(), QString("completed"));
        QVERIFY(command.value("output").toObject().value("processes").toArray().size() > 1);
        QSignalSpy refused(&runner, &CommandRunner::refused);
        runner.send(QString::fromStdString(agent.deviceId()), "kill_process", {{"pid", "not a number"}},
                    "bad");
        QTRY_COMPARE_WITH_TIMEOUT(refused.count(), 1, 10000);
        QVERIFY(refused.at(0).at(1).toString().contains("pid"));

        m_admin->post("/api/v1/devices/" + agent.deviceId() + "/revoke", nlohmann::json::object());
        QTRY_COMPARE_WITH_TIMEOUT(status(model, agent.deviceId()), QString("revoked"), 10000);
        QCOMPARE(model.onlineCount(), 0);
        QCOMPARE(loaded.count(), 1); // all of it live: the list was loaded once
    }
};

QTEST_GUILESS_MAIN(TestConsoleLive)
#include "TestConsoleLive.moc"
