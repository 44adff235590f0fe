// The console core against a real server with a real agent: it signs in, loads the devices, and its model
// follows the agent going offline and coming back, a new enrollment and a revocation, live — loading the list
// only once.
#include "ApiClient.h"
#include "CommandRunner.h"
#include "DeviceDirectory.h"
#include "FleetTreeModel.h"
#include "ListLoader.h"
#include "LiveChannel.h"
#include "SignInSession.h"
#include "TestAgent.h"
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
    std::unique_ptr<test::TestServer> m_server;
    std::unique_ptr<net::RestClient> m_admin;
    test::AdminCredentials m_credentials;
    std::string m_site;

    QString status(const DeviceTableModel& model, const std::string& id) {
        const int row = model.rowOf(QString::fromStdString(id));
        return row < 0 ? QString() : model.data(model.index(row, DeviceTableModel::Status)).toString();
    }

private Q_SLOTS:
    void initTestCase() {
        m_postgres = std::make_unique<test::TestPostgres>();
        m_server = std::make_unique<test::TestServer>(*m_postgres, "console_live");
        m_credentials = m_server->bootstrap("admin@live.test", "Live MSP", false);
        m_admin = m_server->signIn(m_credentials.email, m_credentials.password, m_credentials.totpSecret);
        const std::string org = m_admin->post("/api/v1/orgs", {{"name", "Live"}}).body["id"];
        m_site = m_admin->post("/api/v1/sites", {{"org_id", org}, {"name", "Live HQ"}}).body["id"];
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
        const QModelIndex org = tree.index(0, 0);
        QCOMPARE(org.data().toString(), QString("Live (1/1 online)"));
        QCOMPARE(tree.index(0, 0, org).data().toString(), QString("Live HQ (1/1 online)"));
        QCOMPARE(tree.rowCount(tree.index(0, 0, org)), 1);

        QCOMPARE(agent.stop(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(status(model, agent.deviceId()), QString("offline"), 10000);
        QCOMPARE(tree.index(0, 0).data().toString(), QString("Live (0/1 online)"));
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
        QCOMPARE(tree.index(0, 0).data().toString(), QString("Live (1/2 online)"));

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
