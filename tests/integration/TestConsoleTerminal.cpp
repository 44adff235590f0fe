// The console's remote terminal, offscreen, against a real server and a real agent running a real login
// shell: typing through the widget, the window's size followed by the shell, colours and vim's alternate
// screen in the cell grid, a multi-line paste that arrives in one piece, 10,000 lines of scrollback with
// search, a dropped connection and a restarted console coming back to the same screen, tabs and split panes,
// and the "Send keys" menu.
#include "ConsoleConnection.h"
#include "ConsoleFixture.h"
#include "ConsoleOnDevice.h"
#include "TerminalSession.h"
#include "devices/DeviceSessionsTab.h"
#include "devices/DeviceView.h"
#include "remote/RecordingPlayer.h"
#include "remote/RemoteSessionsWindow.h"
#include "remote/TerminalView.h"
#include "shell/MainWindow.h"

#include <QApplication>
#include <QClipboard>
#include <QColor>
#include <QFile>
#include <QLineEdit>
#include <QMenu>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace breeze;
using namespace breeze::console;

namespace {
QString screenText(TerminalScreen& screen) {
    QStringList lines;
    for (int line = screen.scrollbackCount(); line < screen.lineCount(); ++line)
        lines << screen.lineText(line);
    return lines.join('\n');
}

QByteArray readAll(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}
} // namespace

class TestConsoleTerminal final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::ConsoleOnDevice> m_stack;
    std::unique_ptr<MainWindow> m_window;
    QTemporaryDir m_files{QDir::tempPath() + "/breeze-console-terminal-XXXXXX"};

    RemoteSessionsWindow& remote() { return *m_window->remoteSessions(); }

    // The screen once it stopped changing (a prompt can still be arriving in pieces).
    static QString stableScreen(TerminalScreen& screen) {
        QString before = screenText(screen);
        for (int still = 0; still < 3;) {
            QTest::qWait(100);
            const QString now = screenText(screen);
            still = now == before ? still + 1 : 0;
            before = now;
        }
        return before;
    }

    static QStringList lastScrollbackLines(const TerminalScreen& screen, int count) {
        QStringList lines;
        for (int line = std::max(0, screen.scrollbackCount() - count); line < screen.scrollbackCount();
             ++line)
            lines << screen.lineText(line);
        return lines;
    }

    // The console quits (its windows go, its sessions only detach) and starts again with its terminals'
    // window at `windowSize`; the current terminal once it is live again.
    TerminalView* restartConsole(QSize windowSize) {
        const QString sessionId = remote().currentTerminal()->session().sessionId();
        m_window.reset();
        if (!QTest::qWaitFor(
                [&] {
                    return m_stack->fleet->api->get("/api/v1/sessions/" + sessionId.toStdString())
                               .body["state"] == "detached";
                },
                10000))
            return nullptr;
        m_window = std::make_unique<MainWindow>(*m_stack->connection);
        remote().resize(windowSize);
        m_window->restoreTerminals();
        if (!QTest::qWaitFor([&] { return remote().currentTerminal() != nullptr; }, 5000))
            return nullptr;
        auto* back = remote().currentTerminal();
        if (!QTest::qWaitFor([&] { return back->session().state() == TerminalSession::State::Live; }, 20000))
            return nullptr;
        return back;
    }

    TerminalView* open(bool beside = false) {
        auto* view = m_window->openTerminal(m_stack->deviceId, beside);
        if (!view)
            return nullptr;
        if (!QTest::qWaitFor([&] { return view->session().state() == TerminalSession::State::Live; }, 20000))
            return nullptr;
        return view;
    }

    static bool shows(TerminalView* view, const QString& text, int milliseconds = 15000) {
        return QTest::qWaitFor([&] { return screenText(view->session().screen()).contains(text); },
                               milliseconds);
    }

    // Types a command line with the keyboard and waits for `marker` (assembled by the shell, so the echo of
    // the line itself does not count) and for the prompt after it: only then is the shell reading a line
    // again, with bracketed paste switched back on.
    static bool run(TerminalView* view, const QString& command, const QString& marker) {
        QTest::keyClicks(view, command + "; echo '" + marker.left(1) + "''" + marker.mid(1) + "'");
        QTest::keyClick(view, Qt::Key_Return);
        return QTest::qWaitFor(
            [&] {
                const QString text = screenText(view->session().screen());
                const auto at = text.lastIndexOf(marker + '\n');
                return at >= 0 && !text.mid(at + marker.size()).trimmed().isEmpty();
            },
            15000);
    }

    qint64 closedSessions() {
        return m_stack->fleet->api
            ->get("/api/v1/sessions?state=closed&device_id=" + m_stack->deviceId.toStdString())
            .body["items"]
            .size();
    }

private Q_SLOTS:
    void initTestCase() {
        QCoreApplication::setOrganizationName("breeze-test-terminal");
        QSettings().clear();
        m_stack = std::make_unique<test::ConsoleOnDevice>();
        QVERIFY(m_stack->start("terminal", "console-terminal-01"));
        m_window = std::make_unique<MainWindow>(*m_stack->connection);
    }

    void cleanupTestCase() {
        m_window.reset();
        m_stack.reset();
        QSettings().clear();
    }

    void typingRunsCommandsAndTheShellFollowsTheWindowSize() {
        auto* view = open();
        QVERIFY(view);
        remote().resize(900, 560);
        remote().show();
        QTest::qWait(300);
        TerminalScreen& screen = view->session().screen();
        QVERIFY(run(view, "echo \"sum-$((6*7))\"", "typed"));
        QVERIFY(shows(view, "sum-42"));
        QVERIFY(run(view, "stty size", "sized"));
        QVERIFY(shows(view, QString("%1 %2").arg(screen.rows()).arg(screen.cols())));
        // The window grows: the grid and the shell's idea of it follow.
        const int before = screen.cols();
        remote().resize(1200, 700);
        QVERIFY(QTest::qWaitFor([&] { return screen.cols() > before; }, 5000));
        QVERIFY(run(view, "stty size", "resized"));
        QVERIFY(shows(view, QString("%1 %2").arg(screen.rows()).arg(screen.cols())));
        QCOMPARE(view->session().state(), TerminalSession::State::Live);
    }

    void coloursAttributesAndTheAlternateScreen() {
        auto* view = remote().currentTerminal();
        QVERIFY(view);
        TerminalScreen& screen = view->session().screen();
        QVERIFY(run(view, "printf '\\033[1;31mRED\\033[0m \\033[4munder\\033[0m \\033[7mrev\\033[0m\\n'",
                    "coloured"));
        bool found = false;
        for (int line = 0; line < screen.lineCount() && !found; ++line) {
            const QString text = screen.lineText(line);
            const auto at = text.indexOf("RED un");
            if (at < 0)
                continue;
            found = true;
            const TerminalCell red = screen.cell(line, static_cast<int>(at));
            QVERIFY(red.bold);
            QVERIFY(!red.defaultFg);
            QVERIFY(qRed(red.fg) > 128 && qGreen(red.fg) < 128);
            QVERIFY(screen.cell(line, static_cast<int>(at) + 4).underline);
            QVERIFY(screen.cell(line, static_cast<int>(at) + 10).reverse);
        }
        QVERIFY(found);
        QString vim;
        for (const char* candidate : {"vim", "vim.tiny", "vim.basic"})
            if (vim.isEmpty() && !QStandardPaths::findExecutable(candidate).isEmpty())
                vim = candidate;
        if (vim.isEmpty())
            QSKIP("vim is not installed (scripts/debian-packages.txt lists vim-tiny)");
        const QString file = m_files.filePath("notes.txt");
        {
            QFile create(file);
            QVERIFY(create.open(QIODevice::WriteOnly));
        }
        QTest::keyClicks(view, vim + " -u NONE " + file);
        QTest::keyClick(view, Qt::Key_Return);
        QVERIFY(QTest::qWaitFor([&] { return screen.alternateScreen(); }, 10000));
        QTest::keyClicks(view, "iwritten in vim");
        QTest::keyClick(view, Qt::Key_Escape);
        QTest::keyClicks(view, ":wq");
        QTest::keyClick(view, Qt::Key_Return);
        QVERIFY(QTest::qWaitFor([&] { return !screen.alternateScreen(); }, 10000));
        QTRY_VERIFY_WITH_TIMEOUT(readAll(file).contains("written in vim"), 5000);
    }

    void aMultiLinePasteArrivesInOnePiece() {
        auto* view = remote().currentTerminal();
        QVERIFY(run(view, "true", "paste-ready")); // at a prompt: the shell has asked for bracketed paste
        const QString target = m_files.filePath("pasted.txt");
        QString lines;
        for (int i = 0; i < 300; ++i)
            lines += QString("row %1\twith a tab, 'quotes' and \"more\" ünï\n").arg(i);
        const QString early = target + ".early";
        QApplication::clipboard()->setText("touch " + early + "\ncat > " + target + " <<'PASTE_END'\n" +
                                           lines + "PASTE_END");
        view->pasteClipboard();
        QVERIFY(shows(view, "PASTE_END"));
        QTest::qWait(300);
        // Bracketed: unbracketed, the first line would have run at its newline.
        const bool ranEarly = QFile::exists(early);
        QTest::keyClick(view, Qt::Key_Return); // ends the paste either way, so later tests find a prompt
        QVERIFY(!ranEarly);
        QTRY_COMPARE_WITH_TIMEOUT(QString::fromUtf8(readAll(target)), lines, 15000);
        QVERIFY(QFile::exists(early));
    }

    void scrollbackKeepsTenThousandLinesAndFindsText() {
        auto* view = remote().currentTerminal();
        TerminalScreen& screen = view->session().screen();
        QVERIFY(run(view, "seq 1 12000", "counted"));
        QTRY_COMPARE_WITH_TIMEOUT(screen.scrollbackCount(), 10'000, 10000);
        // A line long scrolled off the screen is found in the scrollback.
        const auto matches = screen.find("2500");
        QVERIFY(!matches.isEmpty());
        QVERIFY(matches.last().y() < screen.scrollbackCount());
        QCOMPARE(screen.lineText(matches.last().y()), QString("2500"));
        QVERIFY(screen.find("no such text anywhere").isEmpty());
        // The view's own search scrolls to what it found.
        view->find();
        auto* field = view->findChild<QLineEdit*>();
        QVERIFY(field);
        field->setText("2500");
        auto* bar = view->verticalScrollBar();
        QVERIFY(bar->value() <= matches.last().y() && matches.last().y() < bar->value() + screen.rows());
        QTest::keyClick(field, Qt::Key_Escape);
        // Scrolled back while the full scrollback keeps dropping its oldest lines: the view keeps its text.
        const int topLine = bar->value();
        const QString top = screen.lineText(topLine);
        const qint64 dropped = screen.droppedLines();
        view->session().sendBytes("seq 1 300\r"); // not typed into the view, which would follow the output
        QVERIFY(QTest::qWaitFor([&] { return screen.droppedLines() >= dropped + 300; }, 10000));
        QCOMPARE(screen.lineText(bar->value()), top);
        QVERIFY(bar->value() < topLine);
    }

    void aDroppedConnectionComesBackToTheSameScreen() {
        auto* view = remote().currentTerminal();
        TerminalSession& session = view->session();
        QVERIFY(run(view, "export MARK=kept-7; clear; printf 'top line\\n\\033[32mgreen middle\\033[0m\\n'",
                    "drawn"));
        QTest::qWait(300);
        const QString before = screenText(session.screen());
        const int scrollback = session.screen().scrollbackCount();
        session.reconnect(); // the network drops under it
        QVERIFY(
            QTest::qWaitFor([&] { return session.state() == TerminalSession::State::Reconnecting; }, 5000));
        QVERIFY(QTest::qWaitFor([&] { return session.state() == TerminalSession::State::Live; }, 20000));
        QVERIFY(QTest::qWaitFor([&] { return screenText(session.screen()) == before; }, 10000));
        QCOMPARE(session.screen().scrollbackCount(), scrollback);
        QVERIFY(run(view, "echo \"$MARK\"", "same-shell"));
        QVERIFY(shows(view, "kept-7"));
    }

    void aRestartedConsoleTakesItsTerminalsUpAgain() {
        auto* view = remote().currentTerminal();
        const QString sessionId = view->session().sessionId();
        QVERIFY(run(view, "echo before-restart", "remembered"));
        const QString before = stableScreen(view->session().screen());
        // The same window size (as a console restores its windows' geometry first): the same screen, cell
        // for cell.
        auto* back = restartConsole(remote().size());
        QVERIFY(back);
        QCOMPARE(back->session().sessionId(), sessionId);
        QVERIFY2(QTest::qWaitFor([&] { return screenText(back->session().screen()) == before; }, 10000),
                 qPrintable("before:\n" + before + "\nafter:\n" + screenText(back->session().screen())));
    }

    void aConsoleRestartedSmallerShowsWhatTheDeviceHas() {
        // The device's copy of the screen comes at the size it had; the console must draw it at that size and
        // only then shrink to its window, or the copy scrolls blank lines into the scrollback (and a window
        // growing later pulls them back on top of the screen).
        const QSize size = remote().size();
        auto* back = restartConsole(size - QSize(0, size.height() / 3));
        QVERIFY(back);
        TerminalScreen& screen = back->session().screen();
        const QString shown = stableScreen(screen);
        const QStringList tail = lastScrollbackLines(screen, 40);
        // A new attach at the window's own size gives the device's copy as it is now: the same, line for
        // line.
        back->session().reconnect();
        QVERIFY(QTest::qWaitFor(
            [&] { return back->session().state() == TerminalSession::State::Reconnecting; }, 5000));
        QVERIFY(
            QTest::qWaitFor([&] { return back->session().state() == TerminalSession::State::Live; }, 20000));
        QVERIFY2(QTest::qWaitFor([&] { return screenText(screen) == shown; }, 10000),
                 qPrintable("restored:\n" + shown + "\nthe device's:\n" + screenText(screen)));
        QCOMPARE(lastScrollbackLines(screen, 40), tail);
        remote().resize(size);
    }

    void tabsAndSplitPanesHoldSeveralTerminals() {
        const int tabsBefore = remote().tabs()->count();
        auto* first = open();
        auto* beside = open(true);
        QVERIFY(first && beside);
        QCOMPARE(remote().tabs()->count(), tabsBefore + 1);
        auto* splitter = qobject_cast<QSplitter*>(beside->parentWidget());
        QVERIFY(splitter);
        QCOMPARE(splitter->count(), 2);
        QVERIFY(first->session().sessionId() != beside->session().sessionId());
        QVERIFY(run(first, "echo only-left", "left-done"));
        QVERIFY(!screenText(beside->session().screen()).contains("only-left"));
        // Send keys: Ctrl+C from the menu interrupts what runs on the device.
        QTest::keyClicks(beside, "sleep 60");
        QTest::keyClick(beside, Qt::Key_Return);
        QTest::qWait(500);
        std::unique_ptr<QMenu> menu(beside->buildMenu(nullptr));
        QMenu* keys = nullptr;
        for (auto* action : menu->actions())
            if (action->menu() && action->text() == "Send keys")
                keys = action->menu();
        QVERIFY(keys);
        for (auto* action : keys->actions())
            if (action->text().startsWith("Ctrl+C"))
                action->trigger();
        QVERIFY(run(beside, "echo interrupted", "after-ctrl-c"));
        // Closing a pane ends its session on the device; the other stays.
        const qint64 closed = closedSessions();
        for (auto* action : beside->buildMenu(nullptr)->actions())
            if (action->text() == "Close pane")
                action->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(closedSessions(), closed + 1, 10000);
        QVERIFY(run(first, "echo still-here", "left-alive"));
        // What the window looks like, for a person to check.
        remote().grab().save(QDir::tempPath() + "/breeze-terminal-window.png");
    }

    void aPaneClosedWhileOpeningLeavesNoSessionBehind() {
        const auto count = [&](const std::string& state) {
            return m_stack->fleet->api
                ->get("/api/v1/sessions?kind=terminal&state=" + state +
                      "&device_id=" + m_stack->deviceId.toStdString())
                .body["items"]
                .size();
        };
        const auto live = count("live");
        const auto closed = count("closed");
        auto* view =
            m_window->openTerminal(m_stack->deviceId); // closed at once, before the server has answered
        std::unique_ptr<QMenu> menu(view->buildMenu(nullptr));
        for (auto* action : menu->actions())
            if (action->text() == "Close pane")
                action->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(count("closed"), closed + 1, 10000);
        QCOMPARE(count("live"), live);
    }

    void aRecordingPlaysBackSeeksAndFinds() {
        auto* view = open();
        QVERIFY(view);
        const QString sessionId = view->session().sessionId();
        // What the shell prints differs from what was typed ($((...)) is worked out), so find finds the
        // output.
        QVERIFY(
            run(view, "echo \"marker-$((10+1))\"; sleep 1.5; echo \"marker-$((20+2))\"", "recorded-done"));
        QTRY_VERIFY_WITH_TIMEOUT(
            m_stack->fleet->api->get("/api/v1/sessions/" + sessionId.toStdString() + "/recording")
                    .raw.find("recorded-done") != std::string::npos,
            10000);
        // From the device's window: its Sessions tab lists the session and plays its recording.
        DeviceView* device = m_window->openDevice(m_stack->deviceId);
        auto* tab = device->findChild<DeviceSessionsTab*>();
        QVERIFY(tab);
        QSignalSpy loaded(tab, &DeviceSessionsTab::loaded);
        tab->reload();
        QVERIFY(loaded.wait(10000));
        QVERIFY(tab->table()->rowCount() >= 1);
        QSignalSpy opened(tab, &DeviceSessionsTab::playerOpened);
        tab->playRecording(sessionId);
        QVERIFY(opened.wait(10000));
        auto* player = qobject_cast<RecordingPlayer*>(opened.first().first().value<QWidget*>());
        QVERIFY(player);
        // At the start nothing is on the screen; find jumps to the moment the text appeared.
        QVERIFY(!screenText(player->screen()).contains("marker-22"));
        QVERIFY(player->findNext("marker-11"));
        const double first = player->position();
        QVERIFY(screenText(player->screen()).contains("marker-11"));
        QVERIFY(!screenText(player->screen()).contains("marker-22"));
        QVERIFY(player->findNext("marker-22"));
        QVERIFY(player->position() >= first + 1.0); // the sleep is in the recording's clock
        QVERIFY(screenText(player->screen()).contains("marker-22"));
        // Seeking back rebuilds the screen as it was then.
        player->seek(first);
        QVERIFY(!screenText(player->screen()).contains("marker-22"));
        QVERIFY(!player->findNext("never printed anywhere"));
        player->close();
        device->close();
    }
};

QTEST_MAIN(TestConsoleTerminal)
#include "TestConsoleTerminal.moc"
