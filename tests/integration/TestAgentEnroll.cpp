// The real breeze-agent binary enrolling against the real server: CA pinning by file or fingerprint, private
// state, clear refusals that leave nothing behind.
#include "ProgramRun.h"
#include "TestFleet.h"
#include "TestPostgres.h"
#include "TestServer.h"
#include "crypto/CertificateAuthority.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

using namespace breeze;

class TestAgentEnroll final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestPostgres> m_postgres;
    std::unique_ptr<test::TestFleet> m_fleet;
    test::TestServer* m_server = nullptr;
    net::RestClient* m_api = nullptr;
    std::string m_site;
    QTemporaryDir m_dir;

    static test::ProgramRun agent(const QStringList& args) {
        return test::ProgramRun::run("breeze-agent", args);
    }

    std::string newKey(int maxUses = 10) {
        return m_api
            ->post("/api/v1/enrollment-keys",
                   {{"site_id", m_site}, {"expires_in_seconds", 600}, {"max_uses", maxUses}})
            .body["key"];
    }

    QString caPem() const {
        QFile file(QString::fromStdString(m_server->caFile()));
        file.open(QIODevice::ReadOnly);
        return QString::fromUtf8(file.readAll());
    }

    static bool isPrivate(const QString& path, QFileDevice::Permissions allowed) {
        const auto others = QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup |
                            QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;
        return (QFileInfo(path).permissions() & others) == 0 &&
               (QFileInfo(path).permissions() & allowed) == allowed;
    }

private Q_SLOTS:
    void initTestCase() {
        m_postgres = std::make_unique<test::TestPostgres>();
        m_fleet = std::make_unique<test::TestFleet>(*m_postgres, "agent_enroll", "admin@agent.test",
                                                    "Agent MSP", "Agents Inc", "Rack");
        m_server = m_fleet->server.get();
        m_api = m_fleet->api.get();
        m_site = m_fleet->site;
    }

    void enrollsWithACaFileAndKeepsItsStatePrivate() {
        const QString state = m_dir.filePath("with-ca-file");
        const auto run =
            agent({"enroll", "--server", QString::fromStdString(m_server->url()), "--key",
                   QString::fromStdString(newKey()), "--ca", QString::fromStdString(m_server->caFile()),
                   "--identity", "rig-01", "--state-dir", state});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY(run.out.contains("enrolled as device"));
        QVERIFY(isPrivate(state, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner));
        QVERIFY(isPrivate(state + "/state.json", QFileDevice::ReadOwner | QFileDevice::WriteOwner));
        QVERIFY(isPrivate(state + "/server-ca.pem", QFileDevice::ReadOwner | QFileDevice::WriteOwner));
        QFile pinned(state + "/server-ca.pem");
        pinned.open(QIODevice::ReadOnly);
        QCOMPARE(QString::fromUtf8(pinned.readAll()), caPem());
        QFile stateFile(state + "/state.json");
        stateFile.open(QIODevice::ReadOnly);
        const auto saved = nlohmann::json::parse(stateFile.readAll().toStdString());
        QVERIFY(saved["credential"].get<std::string>().starts_with("dev_"));
        const auto device = m_api->get("/api/v1/devices/" + saved["device_id"].get<std::string>());
        QCOMPARE(device.status, 200);
        QCOMPARE(device.body["identity"].get<std::string>(), std::string("rig-01"));
        QVERIFY(!device.body["hostname"].get<std::string>().empty());
        QCOMPARE(device.body["agent_version"].get<std::string>(), std::string(BREEZE_TEST_VERSION));
        // status shows what it is enrolled as, never the credential.
        const auto status = agent({"status", "--state-dir", state});
        QCOMPARE(status.exitCode, 0);
        QVERIFY(status.out.contains(QString::fromStdString(saved["device_id"].get<std::string>())));
        QVERIFY(!status.out.contains("dev_"));
    }

    void enrollsWithOnlyTheCaFingerprint() {
        const QString state = m_dir.filePath("with-fingerprint");
        std::string fingerprint = crypto::CertificateAuthority::sha256Fingerprint(caPem().toStdString());
        // Administrators paste fingerprints with colons and in upper case.
        std::string pretty;
        for (std::size_t i = 0; i < fingerprint.size(); i += 2)
            pretty += (pretty.empty() ? "" : ":") + fingerprint.substr(i, 2);
        std::transform(pretty.begin(), pretty.end(), pretty.begin(),
                       [](unsigned char c) { return std::toupper(c); });
        const auto run =
            agent({"enroll", "--server", QString::fromStdString(m_server->url()), "--key",
                   QString::fromStdString(newKey()), "--ca-sha256", QString::fromStdString(pretty),
                   "--identity", "rig-02", "--state-dir", state});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QFile pinned(state + "/server-ca.pem");
        pinned.open(QIODevice::ReadOnly);
        QCOMPARE(QString::fromUtf8(pinned.readAll()), caPem());
    }

    void refusesAServerItCannotTrustAndWritesNothing() {
        const QString state = m_dir.filePath("refused");
        std::string wrong(64, 'a');
        const std::string key = newKey();
        auto run = agent({"enroll", "--server", QString::fromStdString(m_server->url()), "--key",
                          QString::fromStdString(key), "--ca-sha256", QString::fromStdString(wrong),
                          "--identity", "rig-03", "--state-dir", state});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("refusing to trust this server"), qPrintable(run.err));
        QVERIFY(!QFile::exists(state + "/state.json"));
        run = agent({"enroll", "--server", QString::fromStdString(m_server->url()), "--key",
                     QString::fromStdString(key), "--identity", "rig-03", "--state-dir", state});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("cannot verify the server's certificate"), qPrintable(run.err));
        QVERIFY(!QFile::exists(state + "/state.json"));
        QVERIFY(!QFile::exists(state + "/server-ca.pem"));
        // The key was never sent, so it is still unused.
        QCOMPARE(m_api->get("/api/v1/devices?site=" + m_site).raw.find("rig-03"), std::string::npos);
    }

    void aUsedUpKeyIsRefusedWithTheServersReason() {
        const std::string key = newKey(1);
        const QString first = m_dir.filePath("first");
        QCOMPARE(agent({"enroll", "--server", QString::fromStdString(m_server->url()), "--key",
                        QString::fromStdString(key), "--ca", QString::fromStdString(m_server->caFile()),
                        "--identity", "rig-04", "--state-dir", first})
                     .exitCode,
                 0);
        const QString second = m_dir.filePath("second");
        const auto run =
            agent({"enroll", "--server", QString::fromStdString(m_server->url()), "--key",
                   QString::fromStdString(key), "--ca", QString::fromStdString(m_server->caFile()),
                   "--identity", "rig-05", "--state-dir", second});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("enrollment_key_used_up"), qPrintable(run.err));
        QVERIFY(!QFile::exists(second + "/state.json"));
        QVERIFY(!QFile::exists(second + "/server-ca.pem"));
        QCOMPARE(agent({"status", "--state-dir", second}).exitCode, 3);
    }

    void cleanupTestCase() {
        m_fleet.reset();
        m_postgres.reset();
    }
};

QTEST_GUILESS_MAIN(TestAgentEnroll)
#include "TestAgentEnroll.moc"
