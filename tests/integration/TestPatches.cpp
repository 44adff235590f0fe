// Patch management end to end on real apt: the test builds small .deb packages in two versions into local
// repositories (one labelled as a security archive), installs the old ones, and a real agent scans, then a
// scheduled deployment installs what is approved once its time comes; dpkg confirms the versions, a rejected
// update stays as it was whatever else approves it, a package whose new version fails to install is reported
// with its log while the others install, and a rollback restores the old version.
#include "CommandWait.h"
#include "ProgramRun.h"
#include "TestAgent.h"
#include "TestFleet.h"
#include "TestPostgres.h"
#include "TestServer.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <set>

using namespace breeze;

namespace {
// Standard output, and standard error too unless `outputOnly` (when the output is data, such as an index).
QString run(const QString& program, const QStringList& args, const QProcessEnvironment& env,
            int* exitCode = nullptr, bool outputOnly = false) {
    QProcess process;
    process.setProcessEnvironment(env);
    process.setProcessChannelMode(outputOnly ? QProcess::SeparateChannels : QProcess::MergedChannels);
    process.start(program, args);
    process.waitForFinished(600000);
    if (exitCode)
        *exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    return QString::fromUtf8(process.readAllStandardOutput());
}

void write(const QString& path, const QByteArray& content, QFileDevice::Permissions permissions = {}) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(content);
    file.close();
    if (permissions)
        file.setPermissions(permissions);
}
} // namespace

class TestPatches final : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QProcessEnvironment m_aptEnv;
    QString m_suffix;
    std::unique_ptr<test::TestPostgres> m_postgres;
    std::unique_ptr<test::TestFleet> m_fleet;
    test::TestServer* m_server = nullptr;
    net::RestClient* m_api = nullptr;
    std::unique_ptr<test::TestAgent> m_agent;
    std::string m_org, m_site, m_device;
    QString m_powerLog;

    QString package(const QString& role) const { return "breeze-test-" + role + "-" + m_suffix; }

    // A package whose files say which version it is; `failingPreinst` makes its installation fail.
    void buildDeb(const QString& role, const QString& version, const QString& repo,
                  bool failingPreinst = false, const QByteArray& postinst = {}) {
        const QString name = package(role);
        const QString root = m_dir.filePath("build/" + name + "-" + version);
        write(root + "/DEBIAN/control",
              QString("Package: %1\nVersion: %2\nArchitecture: all\nMaintainer: Breeze tests "
                      "<tests@breeze.invalid>\nDescription: a package for the patch tests\n")
                  .arg(name, version)
                  .toUtf8());
        write(root + "/usr/share/" + name + "/version", version.toUtf8());
        if (failingPreinst)
            write(root + "/DEBIAN/preinst", "#!/bin/sh\necho 'this update refuses to install' >&2\nexit 1\n",
                  QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                      QFileDevice::ReadGroup | QFileDevice::ExeGroup | QFileDevice::ReadOther |
                      QFileDevice::ExeOther);
        if (!postinst.isEmpty())
            write(root + "/DEBIAN/postinst", postinst,
                  QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                      QFileDevice::ReadGroup | QFileDevice::ExeGroup | QFileDevice::ReadOther |
                      QFileDevice::ExeOther);
        QDir().mkpath(m_dir.filePath(repo));
        int code = 0;
        const QString out =
            run("dpkg-deb", {"--root-owner-group", "--build", root, m_dir.filePath(repo)}, m_aptEnv, &code);
        QVERIFY2(code == 0, qPrintable(out));
    }

    // A flat repository with a Release file (with its hashes), so apt shows its origin and suite.
    void indexRepository(const QString& repo, const QString& suite) {
        int code = 0;
        const QString packages = run(
            "sh", {"-c", "cd " + m_dir.filePath(repo) + " && dpkg-scanpackages --multiversion . /dev/null"},
            m_aptEnv, &code, true);
        QCOMPARE(code, 0);
        const QByteArray index = packages.toUtf8();
        write(m_dir.filePath(repo + "/Packages"), index);
        const QString release =
            QString(
                "Origin: Breeze-Tests\nLabel: Breeze-Tests\nSuite: %1\nCodename: %1\nVersion: 12\nDate: %2\n"
                "Architectures: all amd64\nComponents: main\nSHA256:\n %3 %4 Packages\n")
                .arg(suite, QDateTime::currentDateTimeUtc().toString("ddd, dd MMM yyyy HH:mm:ss 'UTC'"),
                     QString(QCryptographicHash::hash(index, QCryptographicHash::Sha256).toHex()))
                .arg(index.size());
        write(m_dir.filePath(repo + "/Release"), release.toUtf8());
    }

    QString dpkgVersion(const QString& role) {
        int code = 0;
        const QString out =
            run("dpkg-query", {"-W", "-f", "${db:Status-Abbrev}${Version}", package(role)}, m_aptEnv, &code);
        return code == 0 && out.startsWith("ii") ? out.mid(3).trimmed() : QString();
    }

    nlohmann::json waitForCommand(const std::string& id, int milliseconds = 180000) {
        return test::waitForFinalCommand(*m_api, id, milliseconds);
    }

    nlohmann::json devicePatch(const QString& role) {
        const auto response = m_api->get("/api/v1/devices/" + m_device + "/patches");
        for (const auto& item : response.body["items"])
            if (item["name"] == package(role).toStdString())
                return item;
        return nullptr;
    }

    void decide(const std::string& patchId, const nlohmann::json& body) {
        const auto response = m_api->post("/api/v1/patches/" + patchId + "/decision", body);
        QVERIFY2(response.status == 200, response.raw.c_str());
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        // The postgres user (test clusters) and apt's sandbox user must be able to read the repositories.
        QFile(m_dir.path())
            .setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                            QFileDevice::ReadGroup | QFileDevice::ExeGroup | QFileDevice::ReadOther |
                            QFileDevice::ExeOther);
        m_suffix = QString::number(QCoreApplication::applicationPid());
        // What an earlier run that crashed left installed goes first.
        const QString leftovers = run("dpkg-query", {"-W", "-f", "${Package}\n", "breeze-test-*"},
                                      QProcessEnvironment::systemEnvironment(), nullptr, true);
        const QStringList stale = leftovers.split('\n', Qt::SkipEmptyParts);
        if (!stale.isEmpty())
            run("apt-get", QStringList{"-q", "-y", "-o", "DPkg::Lock::Timeout=300", "purge"} + stale,
                QProcessEnvironment::systemEnvironment());
        // apt with its own sources, lists and cache (APT_CONFIG, apt's standard way): only the test's
        // repositories, and the machine's own package lists left alone. dpkg and the installed packages are
        // the machine's.
        m_aptEnv = QProcessEnvironment::systemEnvironment();
        const QString config = m_dir.filePath("apt.conf");
        write(m_dir.filePath("sources.list"),
              QString("deb [trusted=yes] file:%1 ./\ndeb [trusted=yes] file:%2 ./\n")
                  .arg(m_dir.filePath("main"), m_dir.filePath("security"))
                  .toUtf8());
        QDir().mkpath(m_dir.filePath("sources.list.d"));
        QDir().mkpath(m_dir.filePath("lists/partial"));
        QDir().mkpath(m_dir.filePath("cache/archives/partial"));
        write(
            config,
            QString("Dir::Etc::SourceList \"%1\";\nDir::Etc::SourceParts \"%2\";\nDir::State::Lists \"%3\";\n"
                    "Dir::Cache \"%4\";\nAcquire::Languages \"none\";\nAPT::Sandbox::User \"root\";\n")
                .arg(m_dir.filePath("sources.list"), m_dir.filePath("sources.list.d"),
                     m_dir.filePath("lists"), m_dir.filePath("cache"))
                .toUtf8());
        m_aptEnv.insert("APT_CONFIG", config);
        m_aptEnv.insert("DEBIAN_FRONTEND", "noninteractive");

        buildDeb("tool", "1.0", "main");
        buildDeb("tool", "2.0", "security");
        buildDeb("held", "1.0", "main");
        buildDeb("held", "2.0", "main");
        buildDeb("broken", "1.0", "main");
        buildDeb("broken", "2.0", "main", true);
        indexRepository("main", "bookworm");
        indexRepository("security", "bookworm-security");
        int code = 0;
        QString out = run("apt-get", {"-q", "update"}, m_aptEnv, &code);
        QVERIFY2(code == 0, qPrintable(out));
        out = run("apt-get",
                  {"-q", "-y", "-o", "DPkg::Lock::Timeout=300", "install", package("tool") + "=1.0",
                   package("held") + "=1.0", package("broken") + "=1.0"},
                  m_aptEnv, &code);
        QVERIFY2(code == 0, qPrintable(out));
        QCOMPARE(dpkgVersion("tool"), QString("1.0"));

        m_postgres = std::make_unique<test::TestPostgres>();
        m_fleet = std::make_unique<test::TestFleet>(
            *m_postgres, "patches", "admin@patches.test", "Patch MSP", "Fleet", "HQ",
            std::map<std::string, std::string>{{"patches.compliance_snapshot_seconds", "1"}});
        m_server = m_fleet->server.get();
        m_api = m_fleet->api.get();
        m_org = m_fleet->org;
        m_site = m_fleet->site;
        const std::string key = m_fleet->enrollmentKey();
        test::TestAgent::Options options;
        options.identity = "patches-01";
        options.environment = m_aptEnv;
        // Reboots a policy asks for go to this script, not to shutdown(8): a test must not restart its
        // machine.
        m_powerLog = m_dir.filePath("power.log");
        write(m_dir.filePath("fake-shutdown"),
              QString("#!/bin/sh\necho \"$@\" >> %1\n").arg(m_powerLog).toUtf8(),
              QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        options.environment.insert("BREEZE_AGENT_POWER_COMMAND", m_dir.filePath("fake-shutdown"));
        m_agent = std::make_unique<test::TestAgent>(*m_server, key, options);
        m_agent->start();
        m_device = m_agent->deviceId();
        QTRY_VERIFY_WITH_TIMEOUT(m_api->get("/api/v1/devices/" + m_device).body["status"] == "online", 20000);
    }

    void cleanupTestCase() {
        m_agent.reset();
        m_fleet.reset();
        m_postgres.reset();
        run("apt-get",
            {"-q", "-y", "-o", "DPkg::Lock::Timeout=300", "purge", package("tool"), package("held"),
             package("broken"), package("slow")},
            m_aptEnv);
    }

    void scanFindsTheUpdates() {
        const auto started =
            m_api->post("/api/v1/devices/" + m_device + "/patch-scan", nlohmann::json::object());
        QCOMPARE(started.status, 201);
        const auto command = waitForCommand(started.body["command_id"]);
        QVERIFY2(command["status"] == "completed", command.dump().c_str());
        const auto tool = devicePatch("tool");
        QVERIFY2(!tool.is_null(), m_api->get("/api/v1/devices/" + m_device + "/patches").raw.c_str());
        QCOMPARE(tool["version"].get<std::string>(), std::string("2.0"));
        QCOMPARE(tool["installed_version"].get<std::string>(), std::string("1.0"));
        QCOMPARE(tool["state"].get<std::string>(), std::string("missing"));
        QCOMPARE(tool["security"].get<bool>(), true); // from the "-security" suite
        QVERIFY(tool["size_bytes"].get<long long>() > 0);
        QVERIFY(tool["repository"].get<std::string>().find("bookworm-security") != std::string::npos);
        QCOMPARE(devicePatch("held")["security"].get<bool>(), false);
        QCOMPARE(devicePatch("broken")["state"].get<std::string>(), std::string("missing"));
        QCOMPARE(tool["decision"].get<std::string>(), std::string("none"));
        // The catalog counts the device once per update.
        const auto catalog = m_api->get("/api/v1/patches?q=" + package("tool").toStdString()).body["items"];
        QCOMPARE(catalog.size(), std::size_t(1));
        QCOMPARE(catalog[0]["missing"].get<int>(), 1);
        QCOMPARE(m_api->get("/api/v1/patches?security=true&q=breeze-test").body["items"].size(),
                 std::size_t(1));
        // Compliance: the one scanned device misses updates, a security one among them.
        const auto compliance = m_api->get("/api/v1/patch-compliance?site=" + m_site).body;
        QCOMPARE(compliance["total"]["scanned"].get<int>(), 1);
        QCOMPARE(compliance["total"]["fully_patched"].get<int>(), 0);
        QCOMPARE(compliance["total"]["by_severity"]["security"]["share"].get<double>(), 0.0);
        QCOMPARE(compliance["sites"][0]["site_name"].get<std::string>(), std::string("HQ"));
        // The trend: the scheduler's snapshot of the day (refreshed every second in this test) comes within a
        // pass.
        QTRY_VERIFY_WITH_TIMEOUT(
            !m_api->get("/api/v1/patch-compliance?site=" + m_site).body["history"].empty(), 15000);
    }

    void decisionsFollowPrecedenceAndARejectionWins() {
        const std::string tool = devicePatch("tool")["id"], held = devicePatch("held")["id"],
                          broken = devicePatch("broken")["id"];
        for (const auto& id : {tool, held, broken})
            decide(id, {{"decision", "approved"}}); // partner-wide
        QCOMPARE(devicePatch("tool")["decision"].get<std::string>(), std::string("approved"));
        // The organisation defers: more specific than the partner's approval.
        decide(tool, {{"decision", "deferred"}, {"org_id", m_org}, {"defer_days", 7}});
        QCOMPARE(devicePatch("tool")["decision"].get<std::string>(), std::string("deferred"));
        // The device's own approval is more specific still.
        decide(tool, {{"decision", "approved"}, {"device_id", m_device}});
        QCOMPARE(devicePatch("tool")["decision"].get<std::string>(), std::string("approved"));
        // A rejection at the site outweighs every approval, the device's included.
        decide(held, {{"decision", "rejected"}, {"site_id", m_site}});
        decide(held, {{"decision", "approved"}, {"device_id", m_device}});
        QCOMPARE(devicePatch("held")["decision"].get<std::string>(), std::string("rejected"));
        // Bad decisions are refused in words.
        QCOMPARE(m_api->post("/api/v1/patches/" + tool + "/decision", {{"decision", "deferred"}}).status,
                 400);
        QCOMPARE(m_api
                     ->post("/api/v1/patches/" + tool + "/decision",
                            {{"decision", "deferred"}, {"defer_until", "next tuesday"}})
                     .status,
                 400);
        const auto detail = m_api->get("/api/v1/patches/" + held).body;
        QCOMPARE(detail["decisions"].size(), std::size_t(3));
        // Each decision says where it comes from: for the device, and in the catalog for where one looks.
        QCOMPARE(devicePatch("tool")["decision_source"], nlohmann::json("device"));
        QCOMPARE(devicePatch("held")["decision_source"], nlohmann::json("site"));
        QCOMPARE(devicePatch("broken")["decision_source"], nlohmann::json("partner"));
        const auto effective = [this](const std::string& query, const std::string& name) {
            const auto page = m_api->get("/api/v1/patches?" + query);
            for (const auto& patch : page.body["items"])
                if (patch["name"] == package(QString::fromStdString(name)).toStdString())
                    return patch["effective"];
            return nlohmann::json();
        };
        QCOMPARE(effective("", "held"), nlohmann::json({{"decision", "approved"}, {"source", "partner"}}));
        QCOMPARE(effective("site=" + m_site, "held"),
                 nlohmann::json({{"decision", "rejected"}, {"source", "site"}}));
        QCOMPARE(effective("org=" + m_org, "tool"),
                 nlohmann::json({{"decision", "deferred"}, {"source", "org"}}));
    }

    // A preview says what a deployment would install on each device now, from the same rule the deployer
    // follows, and queues nothing.
    void aPreviewShowsWhatWouldBeInstalled() {
        const auto preview = m_api->post("/api/v1/patch-deployments/preview", {{"site_id", m_site}});
        QVERIFY2(preview.status == 200, preview.raw.c_str());
        QCOMPARE(preview.body["device_count"].get<int>(), 1);
        std::set<std::string> names;
        for (const auto& package : preview.body["devices"][0]["packages"])
            names.insert(package["name"]);
        // tool and broken are approved for the device; held is rejected at its site.
        QVERIFY(names.contains(package("tool").toStdString()));
        QVERIFY(names.contains(package("broken").toStdString()));
        QVERIFY(!names.contains(package("held").toStdString()));
        QCOMPARE(preview.body["install_count"].get<std::size_t>(), names.size());
        QCOMPARE(m_api->get("/api/v1/patch-deployments").body["items"].size(), std::size_t(0));
        QCOMPARE(
            m_api->post("/api/v1/patch-deployments", {{"site_id", m_site}, {"reboot", "sometimes"}}).status,
            400);
    }

    void aScheduledDeploymentWaitsThenInstallsWhatIsApproved() {
        const QDateTime at = QDateTime::currentDateTimeUtc().addSecs(8);
        const auto created = m_api->post(
            "/api/v1/patch-deployments",
            {{"device_ids", {m_device}}, {"scheduled_at", at.toString(Qt::ISODate).toStdString()}});
        QVERIFY2(created.status == 201, created.raw.c_str());
        QCOMPARE(created.body["status"].get<std::string>(), std::string("scheduled"));
        const std::string id = created.body["id"];
        // Nothing reaches the device before its time.
        QTest::qWait(3000);
        QCOMPARE(m_api->get("/api/v1/patch-deployments/" + id).body["status"].get<std::string>(),
                 std::string("scheduled"));
        QCOMPARE(dpkgVersion("tool"), QString("1.0"));
        QTRY_COMPARE_WITH_TIMEOUT(
            m_api->get("/api/v1/patch-deployments/" + id).body["status"].get<std::string>(),
            std::string("queued"), 30000);
        const auto queued = m_api->get("/api/v1/patch-deployments/" + id).body;
        QCOMPARE(
            m_postgres
                ->superuserSql("patches", QString("SELECT queued_at >= scheduled_at FROM patch_deployments "
                                                  "WHERE id = '%1'")
                                              .arg(QString::fromStdString(id)))
                .trimmed(),
            QString("t"));
        const std::string command = queued["summary"]["queued"][0]["command_id"];
        QCOMPARE(queued["summary"]["queued"][0]["packages"].get<int>(), 2); // tool and broken, not held
        const auto finished = waitForCommand(command);
        QCOMPARE(finished["status"].get<std::string>(), std::string("failed")); // one package failed
        // dpkg has the approved update; the rejected one and the broken one stay where they were.
        QCOMPARE(dpkgVersion("tool"), QString("2.0"));
        QCOMPARE(dpkgVersion("held"), QString("1.0"));
        QCOMPARE(dpkgVersion("broken"), QString("1.0"));
        const auto tool = devicePatch("tool");
        QVERIFY2(tool["state"] == "installed" || tool["state"] == "pending_reboot", tool.dump().c_str());
        const auto broken = devicePatch("broken");
        QCOMPARE(broken["state"].get<std::string>(), std::string("failed"));
        QVERIFY(broken["last_error"].get<std::string>().find("this update refuses to install") !=
                std::string::npos);
        QCOMPARE(devicePatch("held")["state"].get<std::string>(), std::string("missing"));
        const auto results = m_api->get("/api/v1/devices/" + m_device + "/patch-results").body["items"];
        QCOMPARE(results.size(), std::size_t(2));
        for (const auto& result : results) {
            if (result["name"] == package("broken").toStdString()) {
                QCOMPARE(result["status"].get<std::string>(), std::string("failed"));
                QVERIFY(result["log"].get<std::string>().find("pre-installation script") !=
                        std::string::npos);
            } else {
                QCOMPARE(result["status"].get<std::string>(), std::string("installed"));
                QCOMPARE(result["installed_version"].get<std::string>(), std::string("2.0"));
            }
        }
        const auto deployment = m_api->get("/api/v1/patch-deployments/" + id).body;
        QCOMPARE(deployment["devices"][0]["results"].size(), std::size_t(2));
    }

    void aRollbackRestoresTheOldVersion() {
        const std::string tool = devicePatch("tool")["id"];
        const auto started = m_api->post("/api/v1/devices/" + m_device + "/patches/" + tool + "/rollback",
                                         nlohmann::json::object());
        QVERIFY2(started.status == 201, started.raw.c_str());
        QCOMPARE(started.body["to_version"].get<std::string>(), std::string("1.0"));
        const auto command = waitForCommand(started.body["command_id"]);
        QVERIFY2(command["status"] == "completed", command.dump().c_str());
        QCOMPARE(dpkgVersion("tool"), QString("1.0"));
        QCOMPARE(devicePatch("tool")["state"].get<std::string>(), std::string("missing"));
        const auto latest = m_api->get("/api/v1/devices/" + m_device + "/patch-results").body["items"][0];
        QCOMPARE(latest["kind"].get<std::string>(), std::string("rollback"));
        QCOMPARE(latest["installed_version"].get<std::string>(), std::string("1.0"));
        // Not installed: nothing to roll back.
        QCOMPARE(m_api
                     ->post("/api/v1/devices/" + m_device + "/patches/" + tool + "/rollback",
                            nlohmann::json::object())
                     .status,
                 409);
    }

    void adminCliDeploysAndReports() {
        QTemporaryDir home;
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("BREEZE_ADMIN_CONFIG_DIR", home.path());
        env.insert("BREEZE_SERVER", QString::fromStdString(m_server->url()));
        env.insert("BREEZE_CA", QString::fromStdString(m_server->caFile()));
        env.insert(
            "BREEZE_API_KEY",
            QString::fromStdString(
                m_api->post("/api/v1/api-keys", {{"name", "cli"}, {"org_id", m_org}, {"role", "org-admin"}})
                    .body["key"]
                    .get<std::string>()));
        const auto admin = [&](const QStringList& args) {
            return test::ProgramRun::run("breeze-admin", args, {}, env);
        };
        const auto listed = admin({"patches", "list", "--device", "patches-01"});
        QVERIFY2(listed.exitCode == 0 && listed.out.contains(package("tool")), qPrintable(listed.err));
        // The broken update is rejected for the organisation: the deployment installs the tool alone.
        const auto rejected = admin({"patches", "reject", package("broken"), "--org", "Fleet"});
        QVERIFY2(rejected.exitCode == 0, qPrintable(rejected.err));
        const auto deployed = admin({"patches", "deploy", "--device", "patches-01", "--wait"});
        QVERIFY2(deployed.exitCode == 0, qPrintable(deployed.out + deployed.err));
        QVERIFY(deployed.out.contains(package("tool") + " 2.0: installed"));
        QCOMPARE(dpkgVersion("tool"), QString("2.0"));
        QCOMPARE(dpkgVersion("broken"), QString("1.0"));
        // The security update is in: compliance for security updates is whole, not for the rest.
        const auto security = m_api->get("/api/v1/patch-compliance").body["total"];
        QCOMPARE(security["by_severity"]["security"]["share"].get<double>(), 1.0);
        QCOMPARE(security["share"].get<double>(), 0.0);
        QVERIFY(admin({"patches", "compliance"}).out.contains("HQ"));
        const auto results = admin({"patches", "results", "--device", "patches-01"});
        QVERIFY(results.out.contains("this update refuses to install")); // the failed one's log
        // Policies from the command line.
        const auto created = admin({"patches", "policy", "create", "--name", "Quiet", "--org", "Fleet",
                                    "--set", "reboot=never", "--set", "window_start=03:00", "--set",
                                    "auto_approve_severities=critical"});
        QVERIFY2(created.exitCode == 0, qPrintable(created.err));
        const auto assigned = admin({"patches", "policy", "assign", "Quiet", "--org", "Fleet"});
        QVERIFY2(assigned.exitCode == 0, qPrintable(assigned.out + assigned.err));
        const auto shown = admin({"--json", "patches", "policy", "show", "Quiet"}).json();
        QCOMPARE(shown["reboot"].get<std::string>(), std::string("never"));
        QCOMPARE(shown["assignments"].size(), std::size_t(1));
        QCOMPARE(admin({"patches", "policy", "create", "--name", "Bad", "--set", "window_days=9"}).exitCode,
                 1);
        const auto policyDecision =
            admin({"patches", "defer", package("held"), "--policy", "Quiet", "--days", "3"});
        QVERIFY2(policyDecision.exitCode == 0, qPrintable(policyDecision.err));
        QVERIFY(policyDecision.out.contains("policy"));
        QCOMPARE(admin({"patches", "policy", "delete", "Quiet"}).exitCode, 0);
        const auto rolledBack =
            admin({"patches", "rollback", package("tool"), "--device", "patches-01", "--wait"});
        QVERIFY2(rolledBack.exitCode == 0, qPrintable(rolledBack.err));
        QCOMPARE(dpkgVersion("tool"), QString("1.0"));
    }

    void aPolicyApprovesSecurityUpdatesAndDeploysInItsWindowThenReboots() {
        // The explicit decisions about the tool go: the policy's rule decides now.
        const std::string tool = devicePatch("tool")["id"];
        decide(tool, {{"decision", "none"}});
        decide(tool, {{"decision", "none"}, {"org_id", m_org}});
        decide(tool, {{"decision", "none"}, {"device_id", m_device}});
        QCOMPARE(devicePatch("tool")["decision"].get<std::string>(), std::string("none"));
        QCOMPARE(dpkgVersion("tool"), QString("1.0"));
        // Scripts around the updates: each notes the tool's version at its time.
        const auto noteVersion = [&](const QString& marker) {
            return QString("dpkg-query -W -f '${Version}' %1 > %2\n")
                .arg(package("tool"), m_dir.filePath(marker))
                .toStdString();
        };
        // Policy scripts run like any script run: with their parameters' defaults and their own account.
        const std::string pre =
            m_api
                ->post("/api/v1/scripts",
                       {{"name", "Before updates"},
                        {"language", "bash"},
                        {"parameters", {{{"name", "NOTE"}, {"type", "string"}, {"default", "pre-ok"}}}},
                        {"content", noteVersion("pre.marker") + "echo \"note: $NOTE\"\n"}})
                .body["id"];
        write(m_dir.filePath("post.marker"), "",
              QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup |
                  QFileDevice::WriteGroup | QFileDevice::ReadOther | QFileDevice::WriteOther);
        const std::string post =
            m_api
                ->post("/api/v1/scripts",
                       {{"name", "After updates"},
                        {"language", "sh"},
                        {"run_as", "nobody"},
                        {"content", noteVersion("post.marker") + "echo \"as $(id -un)\"\n"}})
                .body["id"];
        // A window open now in the site's own time (UTC), every day; security updates approved automatically.
        const QString start = QDateTime::currentDateTimeUtc().addSecs(-60).time().toString("HH:mm");
        const auto policy = m_api->post("/api/v1/patch-policies", {{"name", "Nightly"},
                                                                   {"org_id", m_org},
                                                                   {"auto_approve_security", true},
                                                                   {"window_days", {0, 1, 2, 3, 4, 5, 6}},
                                                                   {"window_start", start.toStdString()},
                                                                   {"window_minutes", 30},
                                                                   {"reboot", "always"},
                                                                   {"reboot_delay_minutes", 60},
                                                                   {"pre_script_id", pre},
                                                                   {"post_script_id", post}});
        QVERIFY2(policy.status == 201, policy.raw.c_str());
        QCOMPARE(m_api->post("/api/v1/patch-policies", {{"name", "Bad"}, {"window_start", "25:00"}}).status,
                 400);
        const auto assigned =
            m_api->post("/api/v1/patch-policies/" + policy.body["id"].get<std::string>() + "/assignments",
                        {{"site_id", m_site}});
        QVERIFY2(assigned.status == 200, assigned.raw.c_str());
        QCOMPARE(devicePatch("tool")["decision"].get<std::string>(),
                 std::string("approved")); // a security update
        QCOMPARE(devicePatch("held")["decision"].get<std::string>(),
                 std::string("rejected")); // the site's rejection
        // The scheduler opens the window: one deployment for the site, which installs the approved update.
        QTRY_COMPARE_WITH_TIMEOUT(dpkgVersion("tool"), QString("2.0"), 90000);
        QCOMPARE(dpkgVersion("held"), QString("1.0"));
        // The pre-install script ran before the update, the post-install one after it.
        const auto marker = [&](const QString& name) {
            QFile file(m_dir.filePath(name));
            return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
        };
        QTRY_COMPARE_WITH_TIMEOUT(marker("post.marker"), QString("2.0"), 30000);
        QCOMPARE(marker("pre.marker"), QString("1.0"));
        const auto deployments = m_api->get("/api/v1/patch-deployments?device=" + m_device).body["items"];
        const auto& windowed = deployments[0];
        QCOMPARE(windowed["policy_id"].get<std::string>(), policy.body["id"].get<std::string>());
        QTRY_VERIFY_WITH_TIMEOUT(
            m_postgres
                    ->superuserSql(
                        "patches",
                        QString(
                            "SELECT count(*) FROM device_commands WHERE deployment_id = "
                            "'%1' AND command_type = 'patch_install' AND status IN ('completed', 'failed')")
                            .arg(QString::fromStdString(windowed["id"].get<std::string>())))
                    .trimmed() == "1",
            30000);
        const QString scripts = m_postgres->superuserSql(
            "patches", QString("SELECT output->'scripts' FROM device_commands WHERE "
                               "deployment_id = '%1' AND command_type = 'patch_install'")
                           .arg(QString::fromStdString(windowed["id"].get<std::string>())));
        QVERIFY2(scripts.contains("note: pre-ok") && scripts.contains("as nobody"), qPrintable(scripts));
        QVERIFY(!windowed["window_start"].is_null() && !windowed["expires_at"].is_null());
        // ...and the policy's reboot, with its delay, through the agent's power command.
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(m_powerLog), 30000);
        QFile log(m_powerLog);
        QVERIFY(log.open(QIODevice::ReadOnly));
        QVERIFY2(log.readAll().startsWith("-r +60"), "the reboot was not asked for with the policy's delay");
        // Once per window: the scheduler does not deploy the same window again.
        QTest::qWait(6000);
        QCOMPARE(m_api->get("/api/v1/patch-deployments?device=" + m_device).body["items"].size(),
                 deployments.size());
    }

    void stoppingTheAgentLeavesItsPackageManagerAlone() {
        // An update that takes a while to install (its postinst sleeps), like the agent's own package whose
        // installation restarts the agent: the agent is stopped while dpkg runs, and dpkg finishes all the
        // same.
        const QString started = m_dir.filePath("slow.started");
        const QString done = m_dir.filePath("slow.done");
        buildDeb("slow", "1.0", "main");
        buildDeb("slow", "2.0", "main", false,
                 QString("#!/bin/sh\ntouch %1\nsleep 4\ntouch %2\n").arg(started, done).toUtf8());
        indexRepository("main", "bookworm");
        int code = 0;
        QString out = run("apt-get", {"-q", "update"}, m_aptEnv, &code);
        QVERIFY2(code == 0, qPrintable(out));
        out =
            run("apt-get", {"-q", "-y", "-o", "DPkg::Lock::Timeout=300", "install", package("slow") + "=1.0"},
                m_aptEnv, &code);
        QVERIFY2(code == 0, qPrintable(out));
        const auto scan =
            m_api->post("/api/v1/devices/" + m_device + "/patch-scan", nlohmann::json::object());
        QCOMPARE(waitForCommand(scan.body["command_id"])["status"].get<std::string>(),
                 std::string("completed"));
        decide(devicePatch("slow")["id"], {{"decision", "approved"}, {"device_id", m_device}});
        const auto deployment = m_api->post("/api/v1/patch-deployments", {{"device_ids", {m_device}}});
        QVERIFY2(deployment.status == 201, deployment.raw.c_str());
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(started), 120000);
        QVERIFY(!QFile::exists(done));
        // Stopped mid-transaction: the agent waits for dpkg instead of killing it.
        QCOMPARE(m_agent->stop(), 0);
        QVERIFY2(QFile::exists(done), "dpkg was stopped half way through the update");
        QCOMPARE(dpkgVersion("slow"), QString("2.0"));
        out = run("dpkg", {"--audit"}, m_aptEnv, &code);
        QVERIFY2(!out.contains(package("slow")), qPrintable(out)); // nothing left half-configured
        m_agent->start();
        QTRY_VERIFY_WITH_TIMEOUT(m_api->get("/api/v1/devices/" + m_device).body["status"] == "online", 20000);
        // Its result was stored before the agent stopped and reaches the server when it is back.
        QTRY_VERIFY_WITH_TIMEOUT(devicePatch("slow")["state"] == "installed" ||
                                     devicePatch("slow")["state"] == "pending_reboot",
                                 30000);
    }
};

QTEST_GUILESS_MAIN(TestPatches)
#include "TestPatches.moc"
