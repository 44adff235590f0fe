// breeze-admin as an admin uses it: the real binary, signed in once, driving the real server.
#include "ProgramRun.h"
#include "TestPostgres.h"
#include "TestServer.h"

#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

using namespace breeze;

class TestAdminCli final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestPostgres> m_postgres;
    std::unique_ptr<test::TestServer> m_server;
    test::AdminCredentials m_admin;
    QTemporaryDir m_home;

    test::ProgramRun admin(const QStringList& args, const QString& input = {},
                           const QStringList& extraEnv = {}) {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("BREEZE_ADMIN_CONFIG_DIR", m_home.path());
        env.remove("BREEZE_SERVER");
        env.remove("BREEZE_CA");
        env.remove("BREEZE_API_KEY");
        for (const QString& pair : extraEnv)
            env.insert(pair.section('=', 0, 0), pair.section('=', 1));
        return test::ProgramRun::run("breeze-admin", args, input, env);
    }

    QStringList target() const {
        return {"--server", QString::fromStdString(m_server->url()), "--ca",
                QString::fromStdString(m_server->caFile())};
    }

private Q_SLOTS:
    void initTestCase() {
        m_postgres = std::make_unique<test::TestPostgres>();
        m_server = std::make_unique<test::TestServer>(*m_postgres, "admincli");
        m_admin = m_server->bootstrap("admin@cli.test", "CLI MSP", false);
    }

    void loginKeepsAPrivateSession() {
        const auto wrong = admin(target() + QStringList{"login", "--email", "admin@cli.test",
                                                        "--password-stdin", "--totp", "000000"},
                                 QString::fromStdString(m_admin.password) + "\n");
        QCOMPARE(wrong.exitCode, 1);
        QVERIFY2(wrong.err.contains("authenticator code is wrong"), qPrintable(wrong.err));
        const auto login =
            admin(target() + QStringList{"login", "--email", "admin@cli.test", "--password-stdin", "--totp",
                                         QString::fromStdString(test::totpAhead(m_admin.totpSecret))},
                  QString::fromStdString(m_admin.password) + "\n");
        QVERIFY2(login.exitCode == 0, qPrintable(login.err));
        const QFileInfo session(m_home.filePath("admin-session.json"));
        QVERIFY(session.exists());
        QCOMPARE(session.permissions() &
                     (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther),
                 QFileDevice::Permissions());
        const auto me = admin({"whoami", "--json"});
        QCOMPARE(me.exitCode, 0);
        QCOMPARE(me.json()["email"].get<std::string>(), std::string("admin@cli.test"));
        const auto token = admin({"token"});
        QCOMPARE(token.exitCode, 0);
        QCOMPARE(token.out.count('.'), 2); // a JWT
    }

    void managesTheTenantTree() {
        const auto org = admin({"orgs", "create", "Contoso", "--json"});
        QVERIFY2(org.exitCode == 0, qPrintable(org.err));
        const std::string orgId = org.json()["id"];
        const auto again = admin({"orgs", "create", "Contoso"});
        QCOMPARE(again.exitCode, 1);
        QVERIFY(again.err.contains("already exists"));
        const auto table = admin({"orgs", "list"});
        QVERIFY(table.out.startsWith("ID"));
        QVERIFY(table.out.contains("Contoso"));
        QCOMPARE(admin({"orgs", "list", "--json"}).json()["items"][0]["id"].get<std::string>(), orgId);
        QCOMPARE(admin({"sites", "create", "--org", "Contoso", "Head Office"}).exitCode, 0);
        const auto sites = admin({"sites", "list", "--org", "Contoso", "--json"}).json();
        QCOMPARE(sites["items"].size(), std::size_t(1));
        QCOMPARE(sites["items"][0]["org_id"].get<std::string>(), orgId);
        QCOMPARE(admin({"sites", "create", "--org", "Nowhere", "x"}).err.trimmed(),
                 QString("breeze-admin: no organisation named \"Nowhere\""));
    }

    void managesUsersRolesAndKeys() {
        const auto user = admin({"users", "create", "--email", "tech@cli.test", "--org", "Contoso", "--role",
                                 "technician", "--password-stdin", "--json"},
                                "technician password\n");
        QVERIFY2(user.exitCode == 0, qPrintable(user.err));
        QCOMPARE(user.json()["grants"][0]["role"].get<std::string>(), std::string("technician"));
        QVERIFY(admin({"users", "list"}).out.contains("tech@cli.test"));
        QVERIFY(admin({"roles", "list"}).out.contains("partner-admin"));

        const auto key = admin({"api-keys", "create", "--name", "backup-job", "--org", "Contoso", "--role",
                                "read-only", "--json"});
        QVERIFY2(key.exitCode == 0, qPrintable(key.err));
        const std::string secret = key.json()["key"];
        const std::string keyId = key.json()["id"];
        QVERIFY(!admin({"api-keys", "list"}).out.contains(QString::fromStdString(secret)));
        // The key works on its own, without the signed-in session, through the environment too.
        const auto withKey = admin(target() + QStringList{"orgs", "list", "--json"}, {},
                                   {"BREEZE_API_KEY=" + QString::fromStdString(secret)});
        QCOMPARE(withKey.exitCode, 0);
        QCOMPARE(withKey.json()["items"].size(), std::size_t(1));
        const auto forbidden =
            admin(target() + QStringList{"--api-key", QString::fromStdString(secret), "orgs", "create", "X"});
        QCOMPARE(forbidden.exitCode, 1);
        QVERIFY(forbidden.err.contains("orgs:create"));
        QCOMPARE(admin({"api-keys", "revoke", QString::fromStdString(keyId)}).exitCode, 0);
        const auto revoked =
            admin(target() + QStringList{"--api-key", QString::fromStdString(secret), "orgs", "list"});
        QCOMPARE(revoked.exitCode, 1);
        QVERIFY(revoked.err.contains("revoked"));

        const auto enrollment = admin({"enrollment-keys", "create", "--site", "Head Office", "--expires-in",
                                       "2h", "--max-uses", "3", "--json"});
        QVERIFY2(enrollment.exitCode == 0, qPrintable(enrollment.err));
        QVERIFY(enrollment.json()["key"].get<std::string>().starts_with("enr_"));
        QCOMPARE(enrollment.json()["max_uses"].get<int>(), 3);
        QVERIFY(admin({"enrollment-keys", "list"}).out.contains("active"));
        QCOMPARE(admin({"enrollment-keys", "revoke",
                        QString::fromStdString(enrollment.json()["id"].get<std::string>())})
                     .exitCode,
                 0);
        QVERIFY(admin({"enrollment-keys", "list"}).out.contains("revoked"));
        QCOMPARE(
            admin({"enrollment-keys", "create", "--site", "Head Office", "--expires-in", "soon"}).exitCode,
            1);
        const auto notANumber = admin({"enrollment-keys", "create", "--site", "Head Office", "--expires-in",
                                       "1h", "--max-uses", "many"});
        QCOMPARE(notANumber.exitCode, 1);
        QVERIFY(notANumber.err.contains("\"many\" is not a positive whole number"));
    }

    void managesDevices() {
        const auto org = admin({"orgs", "show", "Contoso", "--json"}).json();
        // Approval queue on, then a machine enrolls with a key made by the CLI.
        const auto key =
            admin({"enrollment-keys", "create", "--site", "Head Office", "--expires-in", "1h", "--json"})
                .json();
        auto api = m_server->client();
        api->setBearer(admin({"token"}).out.trimmed().toStdString());
        QCOMPARE(
            api->patch("/api/v1/orgs/" + org["id"].get<std::string>(), {{"require_device_approval", true}})
                .status,
            200);
        const auto enrolled = m_server->client()->post(
            "/api/v1/agent/enroll",
            {{"key", key["key"]}, {"identity", "cli-machine"}, {"hostname", "reception-pc"}});
        QCOMPARE(enrolled.status, 201);
        const auto pending = admin({"devices", "list", "--pending", "--json"}).json();
        QCOMPARE(pending["items"].size(), std::size_t(1));
        QVERIFY(admin({"devices", "list"}).out.contains("reception-pc"));
        QCOMPARE(
            admin({"devices", "approve", "reception-pc", "--json"}).json()["approval"].get<std::string>(),
            std::string("approved"));
        QCOMPARE(admin({"devices", "show", "cli-machine", "--json"}).json()["id"],
                 enrolled.body["device_id"]);
        // Another machine enrolling under the same identity waits beside new devices, showing what differs.
        const auto again = m_server->client()->post(
            "/api/v1/agent/enroll",
            {{"key", key["key"]}, {"identity", "cli-machine"}, {"hostname", "other-pc"}});
        QCOMPARE(again.status, 202);
        const auto waiting = admin({"devices", "list", "--pending"}).out;
        QVERIFY2(waiting.contains("enrolled again from") &&
                     waiting.contains("hostname reception-pc -> other-pc"),
                 qPrintable(waiting));
        QVERIFY(admin({"devices", "refuse", "reception-pc", "--json"}).json()["reenrollment"].is_null());
        QCOMPARE(admin({"devices", "list", "--pending", "--json"}).json()["items"].size(), std::size_t(0));
        QVERIFY(!admin({"devices", "revoke", "reception-pc", "--json"}).json()["revoked_at"].is_null());
        const auto missing = admin({"devices", "show", "nowhere-pc"});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY(missing.err.contains("no device named"));
    }

    void readsTheAuditLog() {
        const auto audit = admin({"audit", "list", "--action", "orgs.create", "--json"});
        QCOMPARE(audit.exitCode, 0);
        QCOMPARE(audit.json()["items"][0]["action"].get<std::string>(), std::string("orgs.create"));
        QVERIFY(admin({"audit", "list"}).out.contains("api_keys.revoke"));
    }

    void refusesAServerItCannotVerify() {
        const auto wrongCa = admin({"--server", QString::fromStdString(m_server->url()), "--ca",
                                    "/etc/ssl/certs/ca-certificates.crt", "orgs", "list"});
        QCOMPARE(wrongCa.exitCode, 1);
        QVERIFY2(wrongCa.err.contains("TLS failure"), qPrintable(wrongCa.err));
        const auto plain = admin({"--server", "http://localhost:1", "orgs", "list"});
        QCOMPARE(plain.exitCode, 1);
        QVERIFY(plain.err.contains("https://"));
    }

    void logoutEndsTheSession() {
        QCOMPARE(admin({"logout"}).exitCode, 0);
        const auto after = admin({"orgs", "list"});
        QCOMPARE(after.exitCode, 1);
        QVERIFY(after.err.contains("login"));
    }

    void cleanupTestCase() {
        m_server.reset();
        m_postgres.reset();
    }
};

QTEST_GUILESS_MAIN(TestAdminCli)
#include "TestAdminCli.moc"
