// bench-terminal-echo: how long a keystroke takes to come back as its echo, through the console's own
// terminal session (console core), the server's relay and the real agent with a real pseudo-terminal, over
// loopback TLS. Each key is typed into `cat` (the kernel's line discipline echoes it) and timed until the
// console's screen shows it. Usage: bench-terminal-echo [--keys N]. Prints one JSON object as its last line.
#include "BenchArguments.h"
#include "BenchFigures.h"
#include "ConsoleFixture.h"
#include "TerminalSession.h"
#include "TestAgent.h"
#include "TestFleet.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QTimer>
#include <QtTest>
#include <iostream>

using namespace breeze;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    const int keys = std::clamp(test::intArgument(argc, argv, "--keys", 1000), 10, 1'000'000);
    test::TestPostgres postgres(test::durabilityArgument(argc, argv));
    test::TestFleet fleet(postgres, "bench_terminal", "bench@terminal.test", "Bench MSP", "Fleet", "HQ",
                          {{"log.level", "warning"}});
    test::TestAgent::Options options;
    options.identity = "bench-terminal-01";
    test::TestAgent agent(*fleet.server, fleet.enrollmentKey(), options);
    agent.start();
    if (!QTest::qWaitFor(
            [&] { return fleet.api->get("/api/v1/devices/" + agent.deviceId()).body["status"] == "online"; },
            30000)) {
        std::cerr << "the agent did not come online\n";
        return 1;
    }
    auto api = test::consoleApi(*fleet.server);
    api->setAccessToken(QString::fromStdString(fleet.api->bearer()));
    console::TerminalSession session(*api, QString::fromStdString(agent.deviceId()), {80, 24, {}, {}});
    session.start();
    if (!QTest::qWaitFor([&] { return session.state() == console::TerminalSession::State::Live; }, 30000)) {
        std::cerr << "the terminal did not open: " << session.status().toStdString() << "\n";
        return 1;
    }
    auto& screen = session.screen();
    // Waits for the cursor to reach `col`, woken by the screen's own change (no polling period in the
    // figures).
    const auto cursorAt = [&](int col, int milliseconds) {
        if (screen.cursor().x() == col)
            return true;
        QEventLoop loop;
        QTimer guard;
        guard.setSingleShot(true);
        QObject::connect(&guard, &QTimer::timeout, &loop, &QEventLoop::quit);
        const auto watch = QObject::connect(&screen, &console::TerminalScreen::changed, &loop, [&] {
            if (screen.cursor().x() == col)
                loop.quit();
        });
        guard.start(milliseconds);
        loop.exec();
        QObject::disconnect(watch);
        return screen.cursor().x() == col;
    };
    // cat on a raw terminal echoes each byte itself, as a shell's line editor does: no line discipline
    // between.
    session.sendBytes("clear; stty raw -echo; exec cat\r");
    // cat is running once the cleared screen has its cursor home and a key echoes.
    if (!cursorAt(0, 5000)) {
        std::cerr << "the terminal did not clear\n";
        return 1;
    }
    QTest::qWait(500);
    constexpr int kPerLine = 60;
    std::vector<double> milliseconds;
    milliseconds.reserve(static_cast<std::size_t>(keys));
    long failures = 0;
    long lines = 0;
    for (int i = 0; i < keys; ++i) {
        const int column = i % kPerLine;
        const auto started = Clock::now();
        session.sendBytes(QByteArray(1, static_cast<char>('a' + i % 26)));
        if (!cursorAt(column + 1, 2000)) {
            ++failures; // counted, never left out of the figures
            milliseconds.push_back(2000);
        } else {
            milliseconds.push_back(std::chrono::duration<double, std::milli>(Clock::now() - started).count());
        }
        if (column == kPerLine - 1) {
            session.sendBytes("\r\n"); // cat sends it back: the next line starts at column 0
            ++lines;
            if (!cursorAt(0, 2000))
                ++failures; // the Enter is a request too
        }
    }
    const nlohmann::json figures{
        {"benchmark", "terminal-echo"},
        {"keys", keys},
        {"line_ends", lines},
        {"failures", failures},
        {"p50_ms", test::percentile(milliseconds, 0.50)},
        {"p99_ms", test::percentile(milliseconds, 0.99)},
        {"max_ms", test::percentile(milliseconds, 1.0)},
        {"postgres", postgres.durabilityLabel()},
#ifdef NDEBUG
        {"build", "release"},
#else
        {"build", "debug (sanitizers when the test build)"},
#endif
        {"conditions",
         "one key at a time into cat (raw terminal, cat echoes) on the real agent's pseudo-terminal, timed "
         "from sending to the "
         "console's screen changing; console core (TerminalSession, Qt WebSocket) -> server relay -> "
         "agent, loopback TLS, session recording on; PostgreSQL is not on the keystroke path"}};
    std::cout << figures.dump() << std::endl;
    session.close();
    QTest::qWait(300);
    return failures == 0 ? 0 : 1;
}
