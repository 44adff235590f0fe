// The dnf backend end to end with real dnf and rpm (Debian ships both): the test builds an RPM package in two
// versions with rpmbuild into a local repository with createrepo_c, adds a security advisory (updateinfo),
// and installs the old version into a private installroot. A real agent told to use dnf there scans, finds
// the update with its severity, installs it when approved, and rolls it back; rpm confirms each version.
#include "CommandWait.h"
#include "TestAgent.h"
#include "TestFleet.h"
#include "TestPostgres.h"
#include "TestServer.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace breeze;

class TestPatchesDnf final : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_name;
    std::unique_ptr<test::TestPostgres> m_postgres;
    std::unique_ptr<test::TestFleet> m_fleet;
    test::TestServer* m_server = nullptr;
    net::RestClient* m_api = nullptr;
    std::unique_ptr<test::TestAgent> m_agent;
    std::string m_device;

    QString run(const QString& program, const QStringList& args, int* exitCode = nullptr) {
        QProcess process;
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(program, args);
        process.waitForFinished(300000);
        if (exitCode)
            *exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
        return QString::fromUtf8(process.readAll());
    }

    void write(const QString& name, const QString& content) {
        QDir().mkpath(QFileInfo(m_dir.filePath(name)).absolutePath());
        QFile file(m_dir.filePath(name));
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(content.toUtf8());
    }

    void buildRpm(const QString& version) {
        write(
            "rpmbuild/SPECS/tool.spec",
            QString("Name: %1\nVersion: %2\nRelease: 1\nSummary: a package for the dnf tests\nLicense: MIT\n"
                    "BuildArch: noarch\n%description\nA package for the dnf tests.\n%install\nmkdir -p "
                    "%{buildroot}/usr/share/%1\necho %2 > "
                    "%{buildroot}/usr/share/%1/version\n%files\n/usr/share/%1/version\n")
                .arg(m_name, version));
        int code = 0;
        const QString out = run("rpmbuild",
                                {"--define", "_topdir " + m_dir.filePath("rpmbuild"), "-bb",
                                 m_dir.filePath("rpmbuild/SPECS/tool.spec")},
                                &code);
        QVERIFY2(code == 0, qPrintable(out));
    }

    QStringList dnfArgs() const {
        return {"-y", "-q", "-c", m_dir.filePath("dnf.conf"), "--installroot=" + m_dir.filePath("root")};
    }

    QString rpmVersion() {
        int code = 0;
        const QString out = run(
            "rpm", {"--root", m_dir.filePath("root"), "-q", "--qf", "%{VERSION}-%{RELEASE}", m_name}, &code);
        return code == 0 ? out.trimmed() : QString();
    }

    nlohmann::json waitForCommand(const std::string& id, int milliseconds = 180000) {
        return test::waitForFinalCommand(*m_api, id, milliseconds);
    }

    nlohmann::json toolPatch() {
        const auto response = m_api->get("/api/v1/devices/" + m_device + "/patches");
        for (const auto& item : response.body["items"])
            if (item["name"] == m_name.toStdString())
                return item;
        return nullptr;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        QFile(m_dir.path())
            .setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                            QFileDevice::ReadGroup | QFileDevice::ExeGroup | QFileDevice::ReadOther |
                            QFileDevice::ExeOther);
        m_name = "breeze-dnf-tool-" + QString::number(QCoreApplication::applicationPid());
        buildRpm("1.0");
        buildRpm("2.0");
        QDir().mkpath(m_dir.filePath("repo"));
        for (const auto& rpm : QDir(m_dir.filePath("rpmbuild/RPMS/noarch")).entryList({"*.rpm"}))
            QFile::copy(m_dir.filePath("rpmbuild/RPMS/noarch/" + rpm), m_dir.filePath("repo/" + rpm));
        int code = 0;
        QString out = run("createrepo_c", {"-q", m_dir.filePath("repo")}, &code);
        QVERIFY2(code == 0, qPrintable(out));
        // The update is a security fix of Important severity, as RHEL's errata say.
        write(
            "updateinfo.xml",
            QString(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<updates><update from=\"tests@breeze.invalid\" "
                "status=\"stable\" type=\"security\" version=\"1\"><id>BREEZE-2026-1</id><title>fix</title>"
                "<severity>Important</severity><issued date=\"2026-11-01 "
                "00:00:00\"/><description>fix</description>"
                "<pkglist><collection short=\"c\"><name>c</name><package name=\"%1\" version=\"2.0\" "
                "release=\"1\" "
                "epoch=\"0\" arch=\"noarch\"><filename>%1-2.0-1.noarch.rpm</filename></package></collection>"
                "</pkglist></update></updates>\n")
                .arg(m_name));
        out = run("modifyrepo_c", {m_dir.filePath("updateinfo.xml"), m_dir.filePath("repo/repodata")}, &code);
        QVERIFY2(code == 0, qPrintable(out));
        QDir().mkpath(m_dir.filePath("repos"));
        QDir().mkpath(m_dir.filePath("root"));
        write("dnf.conf",
              QString("[main]\ngpgcheck=0\ncachedir=%1\nreposdir=%2\ninstall_weak_deps=0\n\n[tests]\n"
                      "name=tests\nbaseurl=file://%3\nenabled=1\n")
                  .arg(m_dir.filePath("cache"), m_dir.filePath("repos"), m_dir.filePath("repo")));
        out = run("dnf", dnfArgs() + QStringList{"install", m_name + "-1.0-1"}, &code);
        QVERIFY2(code == 0, qPrintable(out));
        QCOMPARE(rpmVersion(), QString("1.0-1"));

        m_postgres = std::make_unique<test::TestPostgres>();
        m_fleet = std::make_unique<test::TestFleet>(*m_postgres, "patches_dnf", "admin@dnf.test", "Dnf MSP",
                                                    "Fleet", "HQ");
        m_server = m_fleet->server.get();
        m_api = m_fleet->api.get();
        const std::string key = m_fleet->enrollmentKey();
        test::TestAgent::Options options;
        options.identity = "dnf-01";
        options.environment.insert("BREEZE_AGENT_PACKAGE_MANAGER", "dnf");
        options.environment.insert("BREEZE_AGENT_DNF_CONFIG", m_dir.filePath("dnf.conf"));
        options.environment.insert("BREEZE_AGENT_DNF_ROOT", m_dir.filePath("root"));
        m_agent = std::make_unique<test::TestAgent>(*m_server, key, options);
        m_agent->start();
        m_device = m_agent->deviceId();
        QTRY_VERIFY_WITH_TIMEOUT(m_api->get("/api/v1/devices/" + m_device).body["status"] == "online", 20000);
    }

    void cleanupTestCase() {
        m_agent.reset();
        m_fleet.reset();
        m_postgres.reset();
    }

    void scanFindsTheUpdateWithItsAdvisory() {
        const auto started =
            m_api->post("/api/v1/devices/" + m_device + "/patch-scan", nlohmann::json::object());
        QCOMPARE(started.status, 201);
        const auto command = waitForCommand(started.body["command_id"]);
        QVERIFY2(command["status"] == "completed", command.dump().c_str());
        QCOMPARE(command["output"]["manager"].get<std::string>(), std::string("dnf"));
        const auto tool = toolPatch();
        QVERIFY2(!tool.is_null(), m_api->get("/api/v1/devices/" + m_device + "/patches").raw.c_str());
        QCOMPARE(tool["manager"].get<std::string>(), std::string("dnf"));
        QCOMPARE(tool["version"].get<std::string>(), std::string("2.0-1"));
        QCOMPARE(tool["installed_version"].get<std::string>(), std::string("1.0-1"));
        QCOMPARE(tool["security"].get<bool>(), true);
        QCOMPARE(tool["severity"].get<std::string>(), std::string("important"));
        QVERIFY(tool["size_bytes"].get<long long>() > 0);
    }

    void approvedUpdateInstallsAndRollsBack() {
        const std::string patch = toolPatch()["id"];
        QCOMPARE(m_api->post("/api/v1/patches/" + patch + "/decision", {{"decision", "approved"}}).status,
                 200);
        const auto deployment = m_api->post("/api/v1/patch-deployments", {{"device_ids", {m_device}}});
        QVERIFY2(deployment.status == 201, deployment.raw.c_str());
        const auto installed = waitForCommand(deployment.body["summary"]["queued"][0]["command_id"]);
        QVERIFY2(installed["status"] == "completed", installed.dump().c_str());
        QCOMPARE(rpmVersion(), QString("2.0-1"));
        const auto state = toolPatch()["state"];
        QVERIFY2(state == "installed" || state == "pending_reboot", state.dump().c_str());
        const auto rollback = m_api->post("/api/v1/devices/" + m_device + "/patches/" + patch + "/rollback",
                                          nlohmann::json::object());
        QVERIFY2(rollback.status == 201, rollback.raw.c_str());
        const auto rolledBack = waitForCommand(rollback.body["command_id"]);
        QVERIFY2(rolledBack["status"] == "completed", rolledBack.dump().c_str());
        QCOMPARE(rpmVersion(), QString("1.0-1"));
    }
};

QTEST_GUILESS_MAIN(TestPatchesDnf)
#include "TestPatchesDnf.moc"
