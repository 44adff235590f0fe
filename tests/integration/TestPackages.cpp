// The DEB and RPM packages, built by CPack from this build tree: what they contain, what they depend on, and
// that installing, removing and purging the agent package leaves the machine as expected. dpkg works on a
// private root (--root, scripts run with DPKG_ROOT), so the test never touches this machine's /usr. Stopping
// the service through systemctl is not exercised: no systemd runs here.
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {
struct Run {
    int exitCode;
    QString out;
    QString err;
};

Run run(const QString& program, const QStringList& args, int timeout = 300000) {
    QProcess process;
    process.start(program, args);
    process.waitForFinished(timeout);
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}
} // namespace

class TestPackages final : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_packages;

    QString package(const QString& pattern) const {
        const auto found = QDir(m_packages).entryList({pattern}, QDir::Files);
        return found.isEmpty() ? QString() : m_packages + "/" + found.first();
    }

    Run dpkg(const QString& root, const QStringList& args) {
        return run("dpkg", QStringList{"--root=" + root, "--force-script-chrootless", "--force-depends",
                                       "--force-not-root", "--log=/dev/null"} +
                               args);
    }

private Q_SLOTS:
    void initTestCase() {
        m_packages = m_dir.filePath("packages");
        const auto built = run("cpack", {"-G", "DEB;RPM", "-B", m_packages, "--config",
                                         QString(BREEZE_TEST_BUILD_DIR) + "/CPackConfig.cmake"});
        QVERIFY2(built.exitCode == 0, qPrintable(built.out + built.err));
    }

    void agentAndServerPackagesHoldTheirParts() {
        const QString agentDeb = package("breeze-agent_*.deb");
        const QString serverDeb = package("breeze-server_*.deb");
        QVERIFY(!agentDeb.isEmpty() && !serverDeb.isEmpty());
        const auto agentFiles = run("dpkg-deb", {"-c", agentDeb}).out;
        QVERIFY(agentFiles.contains("./usr/bin/breeze-agent"));
        QVERIFY(agentFiles.contains("./usr/lib/systemd/system/breeze-agent.service"));
        QVERIFY(!agentFiles.contains("breeze-server"));
        const auto agentInfo = run("dpkg-deb", {"-I", agentDeb}).out;
        QVERIFY(agentInfo.contains("Package: breeze-agent"));
        QVERIFY(agentInfo.contains("libsqlite3-0"));
        QVERIFY(agentInfo.contains("postinst") && agentInfo.contains("prerm") &&
                agentInfo.contains("postrm"));
        const auto serverFiles = run("dpkg-deb", {"-c", serverDeb}).out;
        for (const char* path :
             {"./usr/bin/breeze-server", "./usr/bin/breeze-admin", "./etc/breeze/breeze-server.conf",
              "./usr/lib/systemd/system/breeze-server.service",
              "./usr/share/breeze/migrations/0004_agent_runtime.up.sql"})
            QVERIFY2(serverFiles.contains(path), path);
        QVERIFY(
            run("dpkg-deb", {"-I", serverDeb, "conffiles"}).out.contains("/etc/breeze/breeze-server.conf"));

        const QString agentRpm = package("breeze-agent-*.rpm");
        QVERIFY(!agentRpm.isEmpty() && !package("breeze-server-*.rpm").isEmpty());
        QVERIFY(run("rpm", {"-qlp", agentRpm}).out.contains("/usr/lib/systemd/system/breeze-agent.service"));
        const auto scripts = run("rpm", {"-qp", "--scripts", agentRpm}).out;
        QVERIFY(scripts.contains("systemctl stop breeze-agent"));
        QVERIFY(scripts.contains("rm -rf /var/lib/breeze-agent"));
    }

    void theAgentInstallsRemovesAndPurgesCleanly() {
        const QString root = m_dir.filePath("root");
        QVERIFY(QDir().mkpath(root + "/var/lib/dpkg/info") && QDir().mkpath(root + "/var/lib/dpkg/updates"));
        QFile status(root + "/var/lib/dpkg/status");
        QVERIFY(status.open(QIODevice::WriteOnly));
        status.close();
        const auto installed = dpkg(root, {"-i", package("breeze-agent_*.deb")});
        QVERIFY2(installed.exitCode == 0, qPrintable(installed.err));
        const QString binary = root + "/usr/bin/breeze-agent";
        QVERIFY(QFileInfo(binary).isExecutable());
        const auto version = run(binary, {"version"});
        QVERIFY2(version.out.startsWith("breeze-agent "), qPrintable(version.out + version.err));
        // The post-install script made the private state folder.
        const QFileInfo state(root + "/var/lib/breeze-agent");
        QVERIFY(state.isDir());
        QCOMPARE(state.permissions() &
                     (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::ExeOther),
                 QFileDevice::Permissions());
        QFile enrolled(root + "/var/lib/breeze-agent/state.json");
        QVERIFY(enrolled.open(QIODevice::WriteOnly));
        enrolled.write("{}");
        enrolled.close();

        QCOMPARE(dpkg(root, {"-r", "breeze-agent"}).exitCode, 0);
        QVERIFY(!QFileInfo::exists(binary));
        QVERIFY(!QFileInfo::exists(root + "/usr/lib/systemd/system/breeze-agent.service"));
        QVERIFY(QFileInfo::exists(root + "/var/lib/breeze-agent/state.json")); // removal keeps the enrollment
        QCOMPARE(dpkg(root, {"-P", "breeze-agent"}).exitCode, 0);
        QVERIFY(!QFileInfo::exists(root + "/var/lib/breeze-agent")); // purge forgets it
    }
};

QTEST_GUILESS_MAIN(TestPackages)
#include "TestPackages.moc"
