// The agent's own parts on this machine: back-off bounds, the SQLite spool's promises, subprocesses that
// are killed with everything they started, and the Linux collectors against the real /proc.
#include "collect/InventoryCollector.h"
#include "collect/MetricsCollector.h"
#include "connection/AckWindow.h"
#include "connection/Backoff.h"
#include "patches/AptOutput.h"
#include "platform/Subprocess.h"
#include "sessions/ScreenMirror.h"
#include "sessions/TerminalModes.h"
#include "sessions/TerminalPolicy.h"
#include "spool/Spool.h"

#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <csignal>
#include <fstream>
#include <random>
#include <sys/stat.h>

using namespace breeze::agent;
using namespace std::chrono_literals;

class TestAgentUnits final : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    std::string path(const QString& name) const { return m_dir.filePath(name).toStdString(); }

private Q_SLOTS:
    void backoffGrowsWithFullJitterUpToItsCap() {
        std::mt19937 random(7);
        Backoff backoff(1000ms, 60000ms, [&](std::uint32_t bound) { return random() % bound; });
        const long long expected[] = {1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000};
        for (long long ceiling : expected) {
            QCOMPARE(backoff.ceiling().count(), ceiling);
            const auto delay = backoff.next();
            QVERIFY(delay.count() >= 0 && delay.count() <= ceiling);
        }
        backoff.reset();
        QCOMPARE(backoff.ceiling().count(), 1000LL);
        // Full jitter: across many agents the delays spread over the whole range, not around the ceiling.
        long long below = 0;
        for (int i = 0; i < 1000; ++i) {
            Backoff fresh(1000ms, 60000ms, [&](std::uint32_t bound) { return random() % bound; });
            for (int n = 0; n < 6; ++n)
                fresh.next();
            if (fresh.next().count() < 30000)
                ++below;
        }
        QVERIFY2(below > 350 && below < 650, qPrintable(QString::number(below)));
    }

    void spoolKeepsOrderAndDropsOnlyTheOldestMetrics() {
        Spool spool(path("order.db"), 3);
        for (int i = 0; i < 5; ++i)
            spool.add(Spool::Kind::Metric, "",
                      [&](const std::string& id) { return "metric" + std::to_string(i) + ":" + id; });
        spool.add(Spool::Kind::Result, "", [](const std::string& id) { return "result:" + id; });
        for (int i = 5; i < 8; ++i)
            spool.add(Spool::Kind::Metric, "",
                      [&](const std::string& id) { return "metric" + std::to_string(i) + ":" + id; });
        const auto counts = spool.counts();
        QCOMPARE(counts.metrics, std::int64_t(3));
        QCOMPARE(counts.results, std::int64_t(1)); // results are never dropped
        QCOMPARE(counts.droppedMetrics, std::int64_t(5));
        QCOMPARE(counts.recordedMetrics, std::int64_t(8));
        const auto items = spool.takeDue(30, 100);
        QCOMPARE(items.size(), std::size_t(4));
        QVERIFY(items[0].body.starts_with("result:"));
        QVERIFY(items[1].body.starts_with("metric5:"));
        QVERIFY(items[3].body.starts_with("metric7:"));
        // Sent and unacknowledged: not due again until the resend delay, or a reconnect.
        QVERIFY(spool.takeDue(30, 100).empty());
        spool.remove(items[0].id);
        spool.markAllUnsent();
        QCOMPARE(spool.takeDue(30, 100).size(), std::size_t(3));
        struct stat info {};
        QCOMPARE(::stat(path("order.db").c_str(), &info), 0);
        QCOMPARE(info.st_mode & 077, 0u);
        // The totals outlive the process: a test compares them with what the server stored.
        spool.remove(items[1].id);
        Spool reopened(path("order.db"), 3);
        QCOMPARE(reopened.counts().recordedMetrics, std::int64_t(8));
        QCOMPARE(reopened.counts().droppedMetrics, std::int64_t(5));
        QCOMPARE(reopened.counts().metrics, std::int64_t(2));
    }

    void spoolSurvivesARestartAndReplacesUnsentInventory() {
        {
            Spool spool(path("restart.db"), 100);
            spool.add(Spool::Kind::Inventory, "inventory:os",
                      [](const std::string& id) { return "old:" + id; });
            spool.add(Spool::Kind::Inventory, "inventory:os",
                      [](const std::string& id) { return "new:" + id; });
            spool.add(Spool::Kind::Result, "", [](const std::string& id) { return "result:" + id; });
            QCOMPARE(spool.takeDue(30, 100).size(), std::size_t(2));
        }
        Spool reopened(path("restart.db"), 100);
        const auto items = reopened.takeDue(30, 100); // a new process resends everything unacknowledged
        QCOMPARE(items.size(), std::size_t(2));
        QVERIFY(items[0].body.starts_with("new:"));
        QVERIFY(items[0].id != items[1].id);
    }

    void spoolRemembersCommandsSoNoneRunsTwice() {
        Spool spool(path("commands.db"), 10);
        const std::string id = "0b5c6f8e-3d0a-4c8e-9f43-111111111111";
        QVERIFY(spool.acceptCommand(id) == Spool::CommandState::New);
        QVERIFY(spool.acceptCommand(id) == Spool::CommandState::Running);
        spool.forgetCommand(id); // waited for a slot and never started: runs when delivered again
        QVERIFY(spool.acceptCommand(id) == Spool::CommandState::New);
        spool.finishCommand(id);
        QVERIFY(spool.acceptCommand(id) == Spool::CommandState::Finished);
        spool.forgetCommand(id); // a finished command is never forgotten early
        QVERIFY(spool.acceptCommand(id) == Spool::CommandState::Finished);
    }

    void subprocessesReportExitAndOutput() {
        const auto ok = runSubprocess({"sh", "-c", "echo out; echo err >&2; exit 3"}, 10s);
        QCOMPARE(ok.exitCode, 3);
        QVERIFY(ok.output.find("out") != std::string::npos && ok.output.find("err") != std::string::npos);
        const auto missing = runSubprocess({"/nonexistent/program"}, 10s);
        QVERIFY(!missing.started);
        QVERIFY(missing.error.find("/nonexistent/program") != std::string::npos);
        const auto big = runSubprocess({"head", "-c", "300000", "/dev/zero"}, 10s, nullptr, 1000);
        QCOMPARE(big.output.size(), std::size_t(1000));
        QVERIFY(big.truncated);
    }

    void aTimeoutKillsTheWholeProcessTree() {
        const std::string pidFile = path("grandchild.pid");
        const auto started = std::chrono::steady_clock::now();
        const auto result = runSubprocess({"sh", "-c", "sleep 60 & echo $! > " + pidFile + "; wait"}, 500ms);
        QVERIFY(result.timedOut);
        QVERIFY(std::chrono::steady_clock::now() - started < 5s);
        std::ifstream in(pidFile);
        pid_t grandchild = 0;
        in >> grandchild;
        QVERIFY(grandchild > 0);
        QTRY_VERIFY_WITH_TIMEOUT(::kill(grandchild, 0) != 0, 5000);
    }

    void metricsComeFromThisMachine() {
        MetricsCollector collector;
        collector.sample();
        const auto beat = collector.sample();
        QVERIFY(beat.memoryTotalBytes > 0);
        QVERIFY(beat.memoryUsedBytes <= beat.memoryTotalBytes);
        QVERIFY(beat.processCount > 1);
        QVERIFY(beat.uptimeSeconds > 0);
        QVERIFY(beat.cpuPercent >= 0 && beat.cpuPercent <= 100);
        bool loopback = false;
        for (const auto& nic : beat.interfaces)
            loopback |= nic.name == "lo";
        QVERIFY(loopback);
        QVERIFY(!beat.filesystems.empty());
    }

    // A filesystem's figures are df's: used, available and Use% = used ÷ (used + available), rounded up.
    void filesystemUseIsWhatDfSays() {
        MetricsCollector collector;
        const auto beat = collector.sample();
        const auto root = std::find_if(beat.filesystems.begin(), beat.filesystems.end(),
                                       [](const auto& fs) { return fs.mount == "/"; });
        if (root == beat.filesystems.end())
            QSKIP("/ is not a filesystem the agent reports here");
        QProcess df;
        df.start("df", {"-B1", "--output=used,avail,pcent", "/"});
        QVERIFY(df.waitForFinished(10000));
        const QStringList figures =
            QString::fromUtf8(df.readAllStandardOutput()).split('\n').value(1).simplified().split(' ');
        QCOMPARE(figures.size(), 3);
        const double used = figures[0].toDouble();
        const double available = figures[1].toDouble();
        QVERIFY(root->availableBytes.has_value());
        // The disk may change between the two looks: within 64 MiB.
        QVERIFY2(std::abs(static_cast<double>(root->usedBytes) - used) < 64.0 * 1024 * 1024,
                 qPrintable(figures.join(' ')));
        QVERIFY2(std::abs(static_cast<double>(*root->availableBytes) - available) < 64.0 * 1024 * 1024,
                 qPrintable(figures.join(' ')));
        const int dfPercent = figures[2].chopped(1).toInt();
        QVERIFY2(std::abs(static_cast<int>(std::ceil(root->usedPercent())) - dfPercent) <= 1,
                 qPrintable(QString("%1 vs %2").arg(root->usedPercent()).arg(dfPercent)));
    }

    void inventoryDescribesThisMachine() {
        InventoryCollector collector;
        const auto os = collector.os();
        QVERIFY(!os["kernel"].get<std::string>().empty());
        QVERIFY(collector.hardware()["memory_bytes"].get<std::uint64_t>() > 0);
        const auto software = collector.software();
        bool bash = false;
        for (const auto& item : software)
            bash |= item["name"] == "bash";
        QVERIFY2(bash, "dpkg lists bash");
        bool root = false;
        for (const auto& user : collector.users())
            root |= user["name"] == "root" && user["uid"] == 0;
        QVERIFY(root);
        QVERIFY(!collector.services().empty()); // unit files are readable even where systemd is not running
        // Where systemd does not run, services carry how they start but no invented state; where it runs,
        // some do.
        const bool systemd = QFileInfo("/run/systemd/system").isDir();
        bool anyState = false;
        for (const auto& service : collector.services()) {
            anyState |= service.contains("state");
            QVERIFY(service.value("state", "") != "unknown");
            QVERIFY(service.contains("enabled") || systemd);
        }
        QCOMPARE(anyState, systemd);
    }

    void aptOutputIsReadIntoUpdates() {
        const std::string simulated =
            "NOTE: This is only a simulation!\n"
            "Inst base-files [12.4+deb12u11] (12.4+deb12u15 Debian:12.15/oldstable [amd64])\n"
            "Inst libgcrypt20 [1.10.1-3] (1.10.1-3+deb12u1 Debian:12.15/oldstable, "
            "Debian-Security:12/oldstable-security [amd64])\n"
            "Inst linux-image-6.1.0-40-amd64 (6.1.153-1 Debian-Security:12/oldstable-security [amd64])\n"
            "Inst liblzma-dev [5.4.1-1] (5.4.1-1+deb12u2 Debian-Security:12/oldstable-security [amd64]) []\n"
            "Conf base-files (12.4+deb12u15 Debian:12.15/oldstable [amd64])\n"
            "Inst bad name [1] (2 X:1/y [amd64])\n";
        const auto updates = parseSimulatedUpgrade(simulated);
        QCOMPARE(updates.size(),
                 std::size_t(3)); // the new kernel package has no installed version: not an update
        QCOMPARE(updates[0].name, std::string("base-files"));
        QCOMPARE(updates[0].installedVersion, std::string("12.4+deb12u11"));
        QCOMPARE(updates[0].availableVersion, std::string("12.4+deb12u15"));
        QCOMPARE(updates[0].arch, std::string("amd64"));
        QVERIFY(!updates[0].security);
        QVERIFY(updates[1].security); // one of its archives is the security one
        QCOMPARE(updates[1].repository,
                 std::string("Debian:12.15/oldstable, Debian-Security:12/oldstable-security"));
        QVERIFY(updates[2].security);
        QVERIFY(needsRebootAfter("linux-image-6.1.0-40-amd64") && needsRebootAfter("libc6"));
        QVERIFY(!needsRebootAfter("curl"));
        const auto sizes = parsePackageSizes("Package: curl\nVersion: 7.88.1-10+deb12u14\nSize: 315372\n\n"
                                             "Package: libc6\nVersion: 2.36-9+deb12u13\nSize: 2758900\n");
        QCOMPARE(sizes.at("curl=7.88.1-10+deb12u14"), std::uint64_t(315372));
        QCOMPARE(sizes.at("libc6=2.36-9+deb12u13"), std::uint64_t(2758900));
    }
    void ackWindowHoldsBackUntilAcknowledged() {
        using Clock = AckWindow::Clock;
        AckWindow window(3, std::chrono::seconds(30));
        const auto start = Clock::now();
        QCOMPARE(window.room(start), std::size_t(3));
        window.sent("a", start);
        window.sent("b", start);
        window.sent("c", start);
        QCOMPARE(window.room(start), std::size_t(0));
        window.acknowledged("b");
        QCOMPARE(window.room(start), std::size_t(1));
        window.acknowledged("unknown"); // an ack for a message of an earlier connection changes nothing
        QCOMPARE(window.room(start), std::size_t(1));
        // An overdue message no longer holds its place (it is sent again, and counted again then).
        QCOMPARE(window.room(start + std::chrono::seconds(31)), std::size_t(3));
        window.sent("a", start + std::chrono::seconds(31));
        QCOMPARE(window.room(start + std::chrono::seconds(31)), std::size_t(2));
        window.setCapacity(64); // the server's welcome
        QCOMPARE(window.room(start + std::chrono::seconds(31)), std::size_t(63));
        window.clear();
        QCOMPARE(window.room(start), std::size_t(64));
    }

    void terminalModesFollowSequencesSplitAcrossReads() {
        breeze::agent::TerminalModes modes;
        const std::string output =
            "\x1b[?1h\x1b=\x1b[?2004h\x1b[?1000h\x1b[?1006h\x1b[3;20r text \x1b[?1000l";
        for (const char c : output)
            modes.feed(std::string_view(&c, 1)); // one byte at a time, as a slow pipe may deliver it
        QVERIFY(modes.bracketedPaste());
        const std::string replay = modes.replay();
        QVERIFY(replay.find("\x1b[3;20r") != std::string::npos);
        QVERIFY(replay.find("\x1b[?1h") != std::string::npos);
        QVERIFY(replay.find("\x1b=") != std::string::npos);
        QVERIFY(replay.find("\x1b[?1006h") != std::string::npos);
        QVERIFY(replay.find("\x1b[?1000h") == std::string::npos); // switched off again
        modes.feed("\x1b"
                   "c"); // a full reset forgets them all
        QCOMPARE(modes.replay(), std::string());
        QVERIFY(!modes.bracketedPaste());
    }

    void aScreenSnapshotRebuildsTheScreenOnAnotherTerminal() {
        breeze::agent::ScreenMirror mirror(40, 10, 100);
        for (int i = 1; i <= 25; ++i)
            mirror.feed("line " + std::to_string(i) + "\r\n");
        mirror.feed("\x1b[1;32mgreen\x1b[0m \xe6\x97\xa5\xe6\x9c\xac wide\r\n\x1b[4mpen still underlined");
        QCOMPARE(mirror.scrollbackSize(), std::size_t(17)); // 27 lines on a 10-row screen
        const std::string snapshot = mirror.snapshot();
        breeze::agent::ScreenMirror copy(40, 10, 100);
        copy.feed(snapshot);
        QCOMPARE(copy.text(), mirror.text());
        QCOMPARE(copy.scrollbackSize(), mirror.scrollbackSize());
        QVERIFY(snapshot.find("\x1b[0;1;38;5;2mgreen") != std::string::npos);
        // The pen and the cursor are where the program left them: what it prints next lands right.
        mirror.feed(" and more");
        copy.feed(" and more");
        QCOMPARE(copy.text(), mirror.text());
        QCOMPARE(copy.snapshot(), mirror.snapshot());
        // A full-screen program's alternate screen comes back as the alternate screen.
        mirror.feed("\x1b[?1049h\x1b[H\x1b[2Jeditor view\x1b[5;3H");
        breeze::agent::ScreenMirror third(40, 10, 100);
        third.feed(mirror.snapshot());
        QVERIFY(third.alternateScreen());
        QCOMPARE(third.text(), mirror.text());
        third.feed("X");
        mirror.feed("X");
        QCOMPARE(third.text(), mirror.text());
    }

    void aScreenThatShrinksAndGrowsTakesItsLinesBack() {
        // As the console's terminal does: otherwise the device's copy and the console's differ after a window
        // is made smaller and larger again, and a resumed session shows a different screen.
        breeze::agent::ScreenMirror mirror(40, 10, 100);
        for (int i = 1; i <= 25; ++i)
            mirror.feed("\x1b[1mline\x1b[0m " + std::to_string(i) + "\r\n");
        mirror.feed("$ ");
        const std::string before = mirror.text();
        const auto scrollback = mirror.scrollbackSize();
        mirror.resize(40, 4);
        QCOMPARE(mirror.scrollbackSize(), scrollback + 6);
        mirror.resize(40, 10);
        QCOMPARE(mirror.scrollbackSize(), scrollback);
        QCOMPARE(mirror.text(), before);
        QVERIFY(mirror.snapshot().find("\x1b[0;1mline") != std::string::npos); // attributes came back too
    }

    void terminalPolicyRefusesWhatTheDeviceDoesNotAllow() {
        breeze::agent::TerminalPolicy policy;
        const auto self = breeze::agent::Account::ofUid(::geteuid());
        QVERIFY(self.has_value());
        const auto own = policy.resolve("", "");
        QCOMPARE(own.account.name, self->name);
        QVERIFY(own.shell.starts_with("/"));
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, policy.resolve("", "/usr/bin/python3"));
        try {
            policy.resolve("no-such-user-here", "");
            QFAIL("a user that does not exist was accepted");
        } catch (const std::runtime_error& error) {
            // As root the account is looked up; otherwise switching users is refused before that.
            QVERIFY2(std::string(error.what())
                             .find(::geteuid() == 0 ? "no user no-such-user-here" : "does not run as root") !=
                         std::string::npos,
                     error.what());
        }
        policy.users = {"somebody-else"};
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, policy.resolve("", ""));
        policy.users = {"*"};
        policy.shells = {"/bin/sh"};
        QCOMPARE(policy.resolve("", "/bin/sh").shell, std::string("/bin/sh"));
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, policy.resolve("", "/bin/bash"));
    }
};

QTEST_APPLESS_MAIN(TestAgentUnits)
#include "TestAgentUnits.moc"
