// Live sessions end to end: a real server (two nodes where it matters) on PostgreSQL, the real agent running
// a real login shell on a pseudo-terminal, and the relay client breeze-admin uses. Commands and their output,
// window sizes, a large multi-line paste, vim's alternate screen, a dropped console coming back to the same
// screen, sessions side by side, a console that does not read, permissions, the session record and the audit
// log, and a console reaching the agent through the node that holds it.
#include "OpenApiCheck.h"
#include "ProgramRun.h"
#include "TestAgent.h"
#include "TestFleet.h"
#include "TestPostgres.h"
#include "net/RelayConnection.h"
#include "net/TlsConnection.h"
#include "net/WebSocketConnector.h"
#include "platform/Account.h"
#include "protocol/TerminalControl.h"
#include "sessions/ScreenMirror.h"

#include <QtTest>
#include <csignal>
#include <fstream>
#include <poll.h>
#include <pty.h>
#include <set>
#include <sstream>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace breeze;
using protocol::StreamKind;
using Clock = std::chrono::steady_clock;

namespace {
// One console's view of a terminal session: the relay connection, everything printed, and a screen that
// interprets it (the agent's own libvterm mirror, used here as a terminal emulator).
class Terminal {
public:
    Terminal(const nlohmann::json& session, const std::string& caFile, int cols = 80, int rows = 24)
        : m_tls(net::makeClientSslContext(caFile)),
          m_relay(std::make_unique<net::RelayConnection>(session["relay_url"], session["token"], m_tls.get(),
                                                         protocol::SessionKind::Terminal)),
          m_screen(std::make_unique<agent::ScreenMirror>(cols, rows, 10'000)) {}

    net::RelayConnection& relay() { return *m_relay; }
    const std::string& output() const { return m_output; }
    const agent::ScreenMirror& screen() const { return *m_screen; }
    const std::vector<nlohmann::json>& controls() const { return m_controls; }
    std::uint64_t received() const { return m_received; }

    void type(const std::string& keys) { m_relay->send(StreamKind::TerminalData, keys); }
    void resize(int cols, int rows) {
        m_screen->resize(cols, rows);
        m_relay->sendControl(protocol::TerminalResize{cols, rows}.encode());
    }
    bool pump(int milliseconds = 50) {
        return m_relay->pump(std::chrono::milliseconds(milliseconds),
                             {[this](StreamKind, std::string_view data) {
                                  m_output.append(data);
                                  m_received += data.size();
                                  m_screen->feed(data);
                              },
                              [this](const nlohmann::json& control) {
                                  m_controls.push_back(control);
                                  if (control["type"] == "ready" && control.value("resumed", false))
                                      m_screen = std::make_unique<agent::ScreenMirror>(
                                          m_screen->cols(), m_screen->rows(), 10'000);
                              }});
    }
    // Pumps until `done` holds or the time is up; returns whether it held.
    bool until(const std::function<bool()>& done, int milliseconds = 15000) {
        const auto deadline = Clock::now() + std::chrono::milliseconds(milliseconds);
        while (!done()) {
            if (Clock::now() > deadline || !pump())
                return done();
        }
        return true;
    }
    bool waitFor(const std::string& text, int milliseconds = 15000) {
        const auto from = m_searchFrom;
        const bool found =
            until([&] { return m_output.find(text, from) != std::string::npos; }, milliseconds);
        if (found)
            m_searchFrom = m_output.find(text, from) + text.size();
        return found;
    }
    bool ready() {
        return until([this] {
            return std::ranges::any_of(m_controls, [](const auto& c) { return c["type"] == "ready"; });
        });
    }
    // Runs a command line and waits for a marker printed after it (the echo of the line itself does not match
    // because the marker is assembled by the shell).
    bool run(const std::string& command, const std::string& marker) {
        type(command + "; echo '" + marker.substr(0, 1) + "''" + marker.substr(1) + "'\r");
        return waitFor(marker);
    }

private:
    net::SslContextPtr m_tls;
    std::unique_ptr<net::RelayConnection> m_relay;
    std::unique_ptr<agent::ScreenMirror> m_screen;
    std::string m_output;
    std::size_t m_searchFrom = 0;
    std::vector<nlohmann::json> m_controls;
    std::uint64_t m_received = 0;
};

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
} // namespace

class TestRemoteSessions final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestPostgres> m_postgres;
    std::unique_ptr<test::TestFleet> m_fleet;
    net::RestClient* m_api = nullptr;
    std::unique_ptr<test::TestAgent> m_agent;
    std::string m_device;
    QTemporaryDir m_files{QDir::tempPath() + "/breeze-sessions-XXXXXX"};

    nlohmann::json m_openapi;
    QTemporaryDir m_adminHome;
    QProcessEnvironment m_adminEnvironment;

    // Every answer the suite takes is also checked against the OpenAPI document.
    net::RestResponse documented(const std::string& method, const std::string& pattern,
                                 net::RestResponse response) {
        const auto error = test::openApiMismatch(m_openapi, method, pattern, response);
        if (!error.empty())
            throw std::runtime_error(error);
        return response;
    }

    nlohmann::json openTerminal(nlohmann::json body = nlohmann::json::object(),
                                net::RestClient* api = nullptr) {
        body["kind"] = "terminal";
        const auto response =
            documented("post", "/api/v1/devices/{id}/sessions",
                       (api ? api : m_api)->post("/api/v1/devices/" + m_device + "/sessions", body));
        if (response.status != 201)
            throw std::runtime_error(response.raw);
        return response.body;
    }

    std::unique_ptr<Terminal> terminal(const nlohmann::json& session) {
        auto term = std::make_unique<Terminal>(session, m_fleet->server->caFile(),
                                               session["grants"].value("cols", 80),
                                               session["grants"].value("rows", 24));
        if (!term->ready())
            throw std::runtime_error("the terminal did not become ready");
        return term;
    }

    nlohmann::json sessionRecord(const std::string& id) {
        const auto response =
            documented("get", "/api/v1/sessions/{id}", m_api->get("/api/v1/sessions/" + id));
        if (response.status != 200)
            qWarning("GET session: %d %s", response.status, response.raw.c_str());
        return response.body;
    }

    // A user of this partner with one built-in role, signed in.
    std::unique_ptr<net::RestClient> userWithRole(const std::string& role) {
        static int counter = 0;
        const std::string email = role + std::to_string(++counter) + "@sessions.test";
        const std::string password = "a long enough password 1";
        const auto created =
            m_api->post("/api/v1/users", {{"email", email}, {"password", password}, {"role", role}});
        if (created.status != 201)
            throw std::runtime_error(created.raw);
        return m_fleet->server->signIn(email, password);
    }

private Q_SLOTS:
    void initTestCase() {
        m_postgres = std::make_unique<test::TestPostgres>();
        m_fleet = std::make_unique<test::TestFleet>(
            *m_postgres, "sessions", "admin@sessions.test", "Sessions MSP", "Fleet", "HQ",
            std::map<std::string, std::string>{{"agents.heartbeat_seconds", "2"},
                                               {"sessions.keep_detached_seconds", "20"}});
        m_api = m_fleet->api.get();
        m_openapi = m_fleet->server->client()->get("/api/v1/openapi.json").body;
        test::TestAgent::Options options;
        options.identity = "sessions-01";
        m_agent = std::make_unique<test::TestAgent>(*m_fleet->server, m_fleet->enrollmentKey(), options);
        m_agent->start();
        m_device = m_agent->deviceId();
        QTRY_VERIFY_WITH_TIMEOUT(m_api->get("/api/v1/devices/" + m_device).body["status"] == "online", 20000);
        // breeze-admin as an administrator's script would run it: an organisation admin's API key.
        const std::string key =
            m_api
                ->post("/api/v1/api-keys", {{"name", "cli"}, {"org_id", m_fleet->org}, {"role", "org-admin"}})
                .body["key"];
        m_adminEnvironment = QProcessEnvironment::systemEnvironment();
        m_adminEnvironment.insert("BREEZE_ADMIN_CONFIG_DIR", m_adminHome.path());
        m_adminEnvironment.insert("BREEZE_SERVER", QString::fromStdString(m_fleet->server->url()));
        m_adminEnvironment.insert("BREEZE_CA", QString::fromStdString(m_fleet->server->caFile()));
        m_adminEnvironment.insert("BREEZE_API_KEY", QString::fromStdString(key));
    }

    void cleanupTestCase() {
        m_agent.reset();
        m_fleet.reset();
        m_postgres.reset();
    }

    void terminalRunsCommandsAsALoginShell() {
        const auto session = openTerminal({{"cols", 90}, {"rows", 30}});
        QCOMPARE(session["state"], "pending");
        QVERIFY(session["relay_url"].get<std::string>().starts_with("wss://localhost:"));
        auto term = terminal(session);
        QVERIFY(term->run("echo sum-$((6*7))", "done-1"));
        QVERIFY(term->output().find("sum-42") != std::string::npos);
        QVERIFY(term->run("echo $TERM; stty size", "done-2"));
        QVERIFY(term->output().find("xterm-256color") != std::string::npos);
        QVERIFY(term->output().find("30 90") != std::string::npos);
        // A window resized: the shell's terminal follows.
        term->resize(132, 40);
        QVERIFY(term->run("stty size", "done-3"));
        QVERIFY(term->output().find("40 132") != std::string::npos);
        // UTF-8 both ways, and a login shell in the user's home.
        QVERIFY(term->run("printf 'gr\\303\\266\\303\\237e \\342\\234\\223\\n'; echo \"home=$(pwd)\"; "
                          "shopt -q login_shell && echo login-\"yes\"",
                          "done-4"));
        QVERIFY(term->output().find("größe ✓") != std::string::npos); // bytes the shell printed, as UTF-8
        QVERIFY(term->output().find("login-yes") != std::string::npos);
        const auto home = breeze::agent::Account::ofUid(::geteuid())->home;
        QVERIFY(term->output().find("home=" + home) != std::string::npos);
        QCOMPARE(sessionRecord(session["id"])["state"], "active");
        // The shell's exit ends the session with its code.
        term->type("exit 3\r");
        QVERIFY(term->until([&] { return term->relay().ended().has_value(); }));
        QCOMPARE((*term->relay().ended())["exit_code"], 3);
        QTRY_COMPARE_WITH_TIMEOUT(sessionRecord(session["id"])["state"], "closed", 10000);
        const auto record = sessionRecord(session["id"]);
        QCOMPARE(record["exit_code"], 3);
        QCOMPARE(record["end_reason"], "the shell exited");
        QVERIFY(record["bytes_to_device"].get<long long>() > 50);
        QVERIFY(record["bytes_from_device"].get<long long>() > 100);
        // Who, what, when and how much: the audit log has the session's opening and its end.
        const auto audit = m_api->get("/api/v1/audit?resource_id=" + session["id"].get<std::string>()).body;
        std::set<std::string> actions;
        for (const auto& entry : audit["items"]) {
            actions.insert(entry["action"].get<std::string>());
            if (entry["action"] == "sessions.end") {
                QCOMPARE(entry["actor_label"], "admin@sessions.test");
                QCOMPARE(entry["details"]["bytes_from_device"], record["bytes_from_device"]);
                QCOMPARE(entry["details"]["device_id"], m_device);
            }
        }
        QVERIFY(actions.contains("sessions.open"));
        QVERIFY(actions.contains("sessions.end"));
    }

    void aMultiLinePasteArrivesInOnePiece() {
        auto term = terminal(openTerminal());
        QVERIFY(term->run("bind 'set enable-bracketed-paste on'", "bracketed"));
        // Lines with tabs (completion, were they typed) and quotes: bash takes the paste as one text and runs
        // nothing until Enter.
        const std::string target = m_files.filePath("heredoc.txt").toStdString();
        std::string lines;
        for (int i = 0; i < 200; ++i)
            lines +=
                "row " + std::to_string(i) + "\twith a tab, 'single' and \"double\" quotes, $HOME, ünï\n";
        const std::string early = target + ".early";
        term->type("\x1b[200~touch " + early + "\ncat > " + target + " <<'PASTE_END'\n" + lines +
                   "PASTE_END\x1b[201~");
        QVERIFY(term->waitFor("PASTE_END"));
        QTest::qWait(300);
        // Unbracketed, the first line would have run at its newline.
        QVERIFY(!QFileInfo::exists(QString::fromStdString(early)));
        term->type("\r");
        QTRY_COMPARE_WITH_TIMEOUT(readFile(target), lines, 15000);
        QVERIFY(QFileInfo::exists(QString::fromStdString(early)));
    }

    void bytesBeyondTheCreditWindowArriveIntact() {
        auto term = terminal(openTerminal());
        const std::string target = m_files.filePath("raw.bin").toStdString();
        // 1.5 MB of multi-line text, more than the terminal's whole credit window, to a program in raw mode.
        std::string text;
        for (int i = 0; text.size() < 1'500'000; ++i)
            text += "payload line " + std::to_string(i) + " \t 'quoted' ünïcödé\n";
        text.resize(1'500'000);
        QVERIFY(term->run("stty raw -echo", "raw-mode"));
        term->type("head -c " + std::to_string(text.size()) + " > " + target +
                   "; stty sane; echo 'raw'' done'\r");
        QTest::qWait(300);
        term->type(text);
        QVERIFY(term->waitFor("raw done", 60000));
        QCOMPARE(readFile(target).size(), text.size());
        QVERIFY(readFile(target) == text);
    }

    void vimUsesTheAlternateScreen() {
        std::string vim;
        for (const char* candidate : {"vim", "vim.tiny", "vim.basic"})
            if (vim.empty() && !QStandardPaths::findExecutable(candidate).isEmpty())
                vim = candidate;
        if (vim.empty())
            QSKIP("vim is not installed (scripts/debian-packages.txt lists vim-tiny)");
        auto term = terminal(openTerminal({{"cols", 80}, {"rows", 24}}));
        const std::string file = m_files.filePath("notes.txt").toStdString();
        std::ofstream(file) << "first line of the file\nsecond line\n";
        QVERIFY(term->run("echo before-vim", "shell-ready"));
        term->type(vim + " -u NONE " + file + "\r");
        QVERIFY(term->until([&] {
            return term->screen().alternateScreen() &&
                   term->screen().text().find("second line") != std::string::npos;
        }));
        // Typed text lands in the file through vim.
        term->type("Goadded by the test\x1b:wq\r");
        QVERIFY(term->until([&] { return !term->screen().alternateScreen(); }));
        QTRY_VERIFY_WITH_TIMEOUT(readFile(file).find("added by the test") != std::string::npos, 5000);
    }

    void aDroppedConsoleComesBackToTheSameScreen() {
        const auto session = openTerminal({{"cols", 80}, {"rows", 24}});
        const std::string id = session["id"];
        auto term = terminal(session);
        QVERIFY(
            term->run("export MARK=kept-$((100+23)); printf '\\033[1;31mred bold\\033[0m plain\\n'; seq 1 60",
                      "before-drop"));
        // Output made while nobody watches is kept too.
        term->type("sleep 1; echo 'made while'' away'\r");
        QVERIFY(term->waitFor("sleep 1"));
        QTest::qWait(200);
        const std::string before = term->screen().text();
        term.reset(); // the console's connection is gone (a network drop, a crash)
        QTRY_COMPARE_WITH_TIMEOUT(sessionRecord(id)["state"], "detached", 10000);
        QTest::qWait(1500);
        // The token was for one use.
        try {
            Terminal again(session, m_fleet->server->caFile());
            QFAIL("a spent token attached again");
        } catch (const net::WebSocketRefused& refused) {
            QCOMPARE(refused.status(), 401);
        }
        const auto attach =
            documented("post", "/api/v1/sessions/{id}/attach",
                       m_api->post("/api/v1/sessions/" + id + "/attach", nlohmann::json::object()));
        QCOMPARE(attach.status, 200);
        Terminal back(attach.body, m_fleet->server->caFile(), 80, 24);
        QVERIFY(back.until([&] {
            return std::ranges::any_of(back.controls(), [](const auto& c) {
                return c["type"] == "ready" && c.value("resumed", false);
            });
        }));
        // The ready message says how many bytes the device's copy of the screen takes: exactly those come
        // first.
        const auto ready = std::ranges::find_if(
            back.controls(), [](const auto& c) { return c["type"] == "ready" && c.value("resumed", false); });
        const auto snapshot = ready->value("snapshot", std::size_t{0});
        QVERIFY(snapshot > 0);
        QVERIFY(back.until([&] { return back.output().size() >= snapshot; }));
        QVERIFY(back.output().starts_with("\x1b"
                                          "c"));
        const std::string copy = back.output().substr(0, snapshot);
        QVERIFY(copy.ends_with("\x1b[?25h") || copy.ends_with("\x1b[?25l"));
        QVERIFY(back.waitFor("made while away"));
        QVERIFY(
            back.until([&] { return back.screen().text().find("made while away") != std::string::npos; }));
        // The screen is the one left, moved on by what was printed meanwhile: its last lines are still there,
        // in order, just above the new output.
        std::vector<std::string> lines;
        std::istringstream in(before);
        for (std::string line; std::getline(in, line);)
            if (!line.empty())
                lines.push_back(line);
        QVERIFY(lines.size() >= 3);
        const std::string after = back.screen().text();
        const auto tail = lines[lines.size() - 3] + "\n" + lines[lines.size() - 2] + "\n" + lines.back();
        QVERIFY2(after.find(tail) != std::string::npos, after.c_str());
        QVERIFY(after.find(tail) < after.find("made while away"));
        // The scrollback came too, colours included, and the shell is the same one.
        QVERIFY(back.output().find("\r\n2\r\n3\r\n4\r\n") != std::string::npos);
        QVERIFY(back.output().find("38;5;1mred bold") != std::string::npos);
        const std::size_t resumedAt = back.output().size();
        QVERIFY(back.run("echo \"$MARK\"", "after-resume"));
        QVERIFY(back.output().find("kept-123", resumedAt) != std::string::npos);
        QCOMPARE(sessionRecord(id)["attach_count"], 2);
        back.type("exit\r");
        QVERIFY(back.until([&] { return back.relay().ended().has_value(); }));
    }

    void sessionsSideBySideNeverDisturbEachOther() {
        const auto first = openTerminal();
        const auto second = openTerminal();
        auto one = terminal(first);
        auto two = terminal(second);
        QVERIFY(one->run("echo only-in-one", "one-ready"));
        QVERIFY(two->run("echo only-in-two", "two-ready"));
        QVERIFY(one->output().find("only-in-two") == std::string::npos);
        QVERIFY(two->output().find("only-in-one") == std::string::npos);
        // Ending one through the API leaves the other as it was.
        QVERIFY(one->run("echo \"pid=$$\"", "pid-shown"));
        const auto pidAt = one->output().rfind("pid=");
        const long shellPid = std::stol(one->output().substr(pidAt + 4, 12));
        QVERIFY(shellPid > 1 && ::kill(static_cast<pid_t>(shellPid), 0) == 0);
        const auto close = documented("delete", "/api/v1/sessions/{id}",
                                      m_api->del("/api/v1/sessions/" + first["id"].get<std::string>()));
        QCOMPARE(close.status, 200);
        QVERIFY(one->until([&] { return one->relay().ended().has_value() && !one->relay().open(); }));
        QCOMPARE((*one->relay().ended())["reason"], "closed by admin@sessions.test");
        // The shell itself is gone from the device, not only the connection.
        QTRY_VERIFY_WITH_TIMEOUT(::kill(static_cast<pid_t>(shellPid), 0) != 0 ||
                                     readFile("/proc/" + std::to_string(shellPid) + "/stat").find(") Z") !=
                                         std::string::npos,
                                 10000);
        QVERIFY(two->run("echo still-here", "two-alive"));
        QCOMPARE(sessionRecord(first["id"])["state"], "closed");
        QCOMPARE(sessionRecord(second["id"])["state"], "active");
        two->type("exit\r");
        QVERIFY(two->until([&] { return two->relay().ended().has_value(); }));
    }

    void aConsoleThatDoesNotReadSlowsTheShell() {
        auto term = terminal(openTerminal());
        QVERIFY(term->run("stty -echo", "quiet"));
        term->relay().setManualCredit(true);
        const std::uint64_t start = term->received();
        // About 4.8 MB of output; the console grants nothing more than the first window.
        term->type("yes 0123456789 | head -n 400000; echo 'all'' printed'\r");
        const auto deadline = Clock::now() + std::chrono::seconds(3);
        while (Clock::now() < deadline)
            term->pump(50);
        const std::uint64_t held = term->received() - start;
        QVERIFY2(held <= protocol::initialWindow(protocol::SessionKind::Terminal),
                 std::to_string(held).c_str());
        QVERIFY(term->output().find("all printed") == std::string::npos);
        QVERIFY2(held > protocol::initialWindow(protocol::SessionKind::Terminal) / 2,
                 std::to_string(held).c_str());
        // Reading again (what was taken meanwhile is credited back) lets it finish, with nothing lost.
        term->relay().setManualCredit(false);
        QVERIFY(term->waitFor("all printed", 60000));
        std::size_t lines = 0;
        for (auto at = term->output().find("0123456789\r\n", 0); at != std::string::npos;
             at = term->output().find("0123456789\r\n", at + 1))
            ++lines;
        QCOMPARE(lines, std::size_t(400000));
    }

    void aConsoleBreakingTheRulesLosesOnlyItsConnection() {
        const auto session = openTerminal();
        const std::string id = session["id"];
        auto tls = net::makeClientSslContext(m_fleet->server->caFile());
        const auto raw = [&](const nlohmann::json& grant) {
            auto target = net::webSocketTargetFor(grant["relay_url"], "/api/v1/relay/ws");
            target.headers["Authorization"] = "Bearer " + grant["token"].get<std::string>();
            auto upgraded = net::connectWebSocket(target, tls.get(), std::chrono::seconds(10));
            auto channel = std::make_unique<net::WebSocketChannel>(
                std::move(upgraded.connection), protocol::WsRole::Client, 8 << 20, 64 << 20);
            channel->prime(upgraded.earlyBytes);
            return channel;
        };
        const auto closedFor = [](net::WebSocketChannel& channel) {
            const auto deadline = Clock::now() + std::chrono::seconds(10);
            while (channel.open() && Clock::now() < deadline) {
                pollfd fd{channel.fd(), POLLIN, 0};
                ::poll(&fd, 1, 100);
                channel.readAvailable([](protocol::WsMessage&&) {});
                channel.flush();
            }
            return channel.closeReason();
        };
        // More than the whole window in one go.
        auto greedy = raw(session);
        greedy->sendStream(
            protocol::encodeStreamFrame(
                StreamKind::TerminalData, protocol::kRelayChannel,
                std::string(protocol::initialWindow(protocol::SessionKind::Terminal) + 1, 'x')),
            net::WebSocketChannel::Lane::Priority);
        QVERIFY(closedFor(*greedy).find("beyond its credit") != std::string::npos);
        QTRY_COMPARE_WITH_TIMEOUT(sessionRecord(id)["state"], "detached", 10000);
        // A frame the session does not carry (file data on a terminal).
        auto attach = m_api->post("/api/v1/sessions/" + id + "/attach", nlohmann::json::object());
        auto confused = raw(attach.body);
        confused->sendStream(
            protocol::encodeStreamFrame(StreamKind::FileChunk, protocol::kRelayChannel, "data"),
            net::WebSocketChannel::Lane::Bulk);
        QVERIFY(closedFor(*confused).find("does not carry") != std::string::npos);
        // The shell itself was never touched: an honest console takes the session up again.
        attach = m_api->post("/api/v1/sessions/" + id + "/attach", nlohmann::json::object());
        QCOMPARE(attach.status, 200);
        Terminal back(attach.body, m_fleet->server->caFile());
        QVERIFY(back.run("echo fine", "still-fine"));
        back.type("exit\r");
        QVERIFY(back.until([&] { return back.relay().ended().has_value(); }));
    }

    void adminShellRunsOneCommandAndReturnsItsExitCode() {
        const auto run = test::ProgramRun::run(
            "breeze-admin",
            {"shell", "sessions-01", "--", "sh", "-c", "echo \"out-$((2+3))\"; echo \"it's quoted\"; exit 5"},
            {}, m_adminEnvironment);
        QCOMPARE(run.exitCode, 5);
        QCOMPARE(run.out, QString("out-5\nit's quoted\n"));
        // Piped input is the command's input, not typing to echo.
        const auto piped = test::ProgramRun::run("breeze-admin", {"shell", "sessions-01", "--", "wc", "-l"},
                                                 "one\ntwo\nthree\n", m_adminEnvironment);
        QCOMPARE(piped.exitCode, 0);
        QCOMPARE(piped.out.trimmed(), QString("3"));
        // The session is on record as the key's, with the command.
        const auto sessions =
            m_api->get("/api/v1/sessions?device_id=" + m_device + "&kind=terminal").body["items"];
        QVERIFY(std::ranges::any_of(sessions, [](const auto& item) {
            return item["actor"] == "cli" && item["grants"]["command"] == "wc -l" && item["exit_code"] == 0;
        }));
        const auto unknown =
            test::ProgramRun::run("breeze-admin", {"shell", "no-such-device"}, {}, m_adminEnvironment);
        QCOMPARE(unknown.exitCode, 1);
    }

    void adminShellIsATerminalInTheAdminsOwnTerminal() {
        // breeze-admin on a pseudo-terminal of the test's, as an administrator's terminal window would run
        // it.
        const QStringList environment = m_adminEnvironment.toStringList();
        std::vector<std::string> envStrings;
        envStrings.reserve(static_cast<std::size_t>(environment.size()));
        for (const auto& entry : environment)
            envStrings.push_back(entry.toStdString());
        std::vector<char*> envp;
        envp.reserve(envStrings.size() + 1);
        for (auto& entry : envStrings)
            envp.push_back(entry.data());
        envp.push_back(nullptr);
        const std::string program = test::binDir() + "/breeze-admin";
        std::vector<std::string> argStrings{program, "shell", "sessions-01"};
        std::vector<char*> argv;
        argv.reserve(argStrings.size() + 1);
        for (auto& arg : argStrings)
            argv.push_back(arg.data());
        argv.push_back(nullptr);
        int master = -1;
        winsize size{};
        size.ws_col = 100;
        size.ws_row = 30;
        const pid_t child = forkpty(&master, nullptr, nullptr, &size);
        QVERIFY(child >= 0);
        if (child == 0) {
            execve(program.c_str(), argv.data(), envp.data());
            _exit(127);
        }
        std::string seen;
        const auto readUntil = [&](const std::string& text) {
            const auto deadline = Clock::now() + std::chrono::seconds(20);
            while (seen.find(text) == std::string::npos && Clock::now() < deadline) {
                pollfd fd{master, POLLIN, 0};
                if (::poll(&fd, 1, 100) > 0) {
                    char buffer[4096];
                    const ssize_t got = ::read(master, buffer, sizeof buffer);
                    if (got <= 0)
                        break;
                    seen.append(buffer, static_cast<std::size_t>(got));
                }
            }
            return seen.find(text) != std::string::npos;
        };
        const auto type = [&](const std::string& keys) {
            QVERIFY(::write(master, keys.data(), keys.size()) > 0);
        };
        type("echo \"in-$((1+1))\"; stty size\r");
        QVERIFY2(readUntil("in-2"), seen.c_str());
        QVERIFY2(readUntil("30 100"), seen.c_str());
        // The admin's window grows: the remote terminal follows.
        size.ws_col = 120;
        size.ws_row = 40;
        ::ioctl(master, TIOCSWINSZ, &size);
        QTest::qWait(300);
        type("stty size\r");
        QVERIFY2(readUntil("40 120"), seen.c_str());
        // Ctrl+C reaches the remote program, not breeze-admin.
        type("sleep 30\r");
        QTest::qWait(500);
        type("\x03");
        type("echo \"after-$((3*3))\"\r");
        QVERIFY2(readUntil("after-9"), seen.c_str());
        type("exit 4\r");
        int status = 0;
        const auto deadline = Clock::now() + std::chrono::seconds(20);
        while (::waitpid(child, &status, WNOHANG) == 0 && Clock::now() < deadline) {
            char buffer[4096];
            [[maybe_unused]] const auto drained = ::read(master, buffer, sizeof buffer);
            QTest::qWait(50);
        }
        ::close(master);
        QVERIFY(WIFEXITED(status));
        QCOMPARE(WEXITSTATUS(status), 4);
    }

    void permissionsDecideWhoOpensWhat() {
        auto readOnly = userWithRole("read-only");
        auto technician = userWithRole("technician");
        const auto refused =
            readOnly->post("/api/v1/devices/" + m_device + "/sessions", {{"kind", "terminal"}});
        QCOMPARE(refused.status, 403);
        const auto mine = openTerminal({}, technician.get());
        QCOMPARE(mine["actor"], technician->get("/api/v1/auth/me").body["email"]);
        // Only its maker attaches to a session; the administrator may end it.
        const std::string id = mine["id"];
        QCOMPARE(m_api->post("/api/v1/sessions/" + id + "/attach", nlohmann::json::object()).status, 403);
        const auto listed =
            documented("get", "/api/v1/sessions",
                       readOnly->get("/api/v1/sessions?device_id=" + m_device + "&state=live"));
        QCOMPARE(listed.status, 200);
        QVERIFY(
            std::ranges::any_of(listed.body["items"], [&](const auto& item) { return item["id"] == id; }));
        QVERIFY(std::ranges::all_of(listed.body["items"],
                                    [](const auto& item) { return item["state"] != "closed"; }));
        QCOMPARE(readOnly->del("/api/v1/sessions/" + id).status, 403);
        QCOMPARE(m_api->del("/api/v1/sessions/" + id).status, 200);
        QCOMPARE(sessionRecord(id)["state"], "closed");
        // A closed session cannot be attached again.
        QCOMPARE(technician->post("/api/v1/sessions/" + id + "/attach", nlohmann::json::object()).status,
                 409);
        // Bad requests say what is wrong.
        QCOMPARE(m_api->post("/api/v1/devices/" + m_device + "/sessions", {{"kind", "vnc"}}).status, 400);
        QCOMPARE(
            m_api
                ->post("/api/v1/devices/" + m_device + "/sessions", {{"kind", "terminal"}, {"shell", "bash"}})
                .status,
            400);
        QCOMPARE(m_api->post("/api/v1/devices/" + m_device + "/sessions", {{"kind", "terminal"}, {"cols", 0}})
                     .status,
                 400);
        // A device that is not connected has no sessions.
        const std::string ghost = m_fleet->enroll("ghost-01")["device_id"];
        const auto offline = m_api->post("/api/v1/devices/" + ghost + "/sessions", {{"kind", "terminal"}});
        QCOMPARE(offline.status, 409);
        // A made-up token gets nowhere.
        nlohmann::json forged = openTerminal();
        forged["token"] = "rs_forged";
        try {
            Terminal nope(forged, m_fleet->server->caFile());
            QFAIL("a forged token attached");
        } catch (const net::WebSocketRefused& refused) {
            QCOMPARE(refused.status(), 401);
        }
    }

    void aSessionEndsWhenItsMakerLosesAccess() {
        auto technician = userWithRole("technician");
        const auto me = technician->get("/api/v1/auth/me").body;
        const auto session = openTerminal({{"command", "sleep 300"}}, technician.get());
        Terminal term(session, m_fleet->server->caFile());
        QVERIFY(term.ready());
        // Someone else may list it, but not read the command a technician ran (it may hold secrets).
        auto readOnly = userWithRole("read-only");
        const auto seen = readOnly->get("/api/v1/sessions/" + session["id"].get<std::string>()).body;
        QVERIFY(!seen["grants"].contains("command"));
        QCOMPARE(sessionRecord(session["id"])["grants"]["command"], "sleep 300");
        // The technician's account is disabled: the open session ends within a sweep.
        QCOMPARE(m_api->patch("/api/v1/users/" + me["id"].get<std::string>(), {{"disabled", true}}).status,
                 200);
        QVERIFY(term.until([&] { return term.relay().ended().has_value(); }, 20000));
        QCOMPARE((*term.relay().ended())["reason"], "the session's maker no longer has access");
        QTRY_COMPARE_WITH_TIMEOUT(sessionRecord(session["id"])["state"], "closed", 10000);
        // Another keeps their account but loses the role that let them open terminals: theirs ends too.
        auto second = userWithRole("technician");
        const std::string secondId = second->get("/api/v1/auth/me").body["id"];
        const auto secondSession = openTerminal({{"command", "sleep 300"}}, second.get());
        Terminal secondTerm(secondSession, m_fleet->server->caFile());
        QVERIFY(secondTerm.ready());
        const auto grants = m_api->get("/api/v1/users/" + secondId).body["grants"];
        QCOMPARE(m_api->post("/api/v1/users/" + secondId + "/grants", {{"role", "read-only"}}).status, 201);
        QCOMPARE(
            m_api->del("/api/v1/users/" + secondId + "/grants/" + grants[0]["id"].get<std::string>()).status,
            204);
        QVERIFY(secondTerm.until([&] { return secondTerm.relay().ended().has_value(); }, 20000));
        QCOMPARE((*secondTerm.relay().ended())["reason"], "the session's maker no longer has access");
        QCOMPARE(second->get("/api/v1/auth/me").status, 200); // still signed in, just without terminals
    }

    void terminalSessionsAreRecordedWithoutWhatWasTypedBlind() {
        auto technician = userWithRole("technician");
        const auto session = openTerminal({{"cols", 90}, {"rows", 30}}, technician.get());
        const std::string id = session["id"];
        Terminal term(session, m_fleet->server->caFile(), 90, 30);
        QVERIFY(term.ready());
        QVERIFY(term.run("echo visible-output", "first-done"));
        term.resize(100, 32);
        // A password prompt: the terminal does not echo, so what is typed stays out of the recording.
        term.type("read -s -p \"Pass\"\"word: \" secret; echo \"length ${#secret}\"\r");
        QVERIFY(term.waitFor("Password: "));
        QVERIFY(term.until([&] {
            return std::ranges::any_of(term.controls(),
                                       [](const auto& c) { return c["type"] == "echo" && c["on"] == false; });
        }));
        term.type("hunter2-blind\r");
        QVERIFY(term.waitFor("length 13"));
        QVERIFY(term.run("echo typed-again", "second-done"));
        term.type("exit\r");
        QVERIFY(term.until([&] { return term.relay().ended().has_value(); }));
        QTRY_COMPARE_WITH_TIMEOUT(sessionRecord(id)["state"], "closed", 10000);
        // The maker downloads it (an asciicast v2 file); others need sessions:recordings.
        net::RestResponse cast;
        QTRY_VERIFY_WITH_TIMEOUT((cast = technician->get("/api/v1/sessions/" + id + "/recording")).status ==
                                         200 &&
                                     cast.raw.find("second-done") != std::string::npos,
                                 10000);
        QCOMPARE(userWithRole("read-only")->get("/api/v1/sessions/" + id + "/recording").status, 403);
        QCOMPARE(m_api->get("/api/v1/sessions/" + id + "/recording").status, 200);
        std::istringstream lines(cast.raw);
        std::string line;
        std::getline(lines, line);
        const auto header = nlohmann::json::parse(line);
        QCOMPARE(header["version"], 2);
        QCOMPARE(header["width"], 90);
        QCOMPARE(header["height"], 30);
        double last = 0;
        std::string output, input;
        bool resized = false;
        for (; std::getline(lines, line);) {
            const auto event = nlohmann::json::parse(line);
            QVERIFY(event.is_array() && event.size() == 3);
            QVERIFY(event[0].get<double>() >= last);
            last = event[0];
            if (event[1] == "o")
                output += event[2].get<std::string>();
            else if (event[1] == "i")
                input += event[2].get<std::string>();
            else if (event[1] == "r")
                resized = resized || event[2] == "100x32";
        }
        QVERIFY(output.find("visible-output") != std::string::npos);
        QVERIFY(output.find("length 13") != std::string::npos);
        QVERIFY(input.find("echo typed-again") != std::string::npos);
        QVERIFY2(cast.raw.find("hunter2-blind") == std::string::npos, "a password typed blind was recorded");
        QVERIFY(resized);
        // asciinema plays it, and breeze-admin saves the same file.
        const QString file = m_files.filePath("session.cast");
        const auto saved = test::ProgramRun::run(
            "breeze-admin", {"sessions", "download", QString::fromStdString(id), "--out", file}, {},
            m_adminEnvironment);
        QCOMPARE(saved.exitCode, 0);
        QCOMPARE(readFile(file.toStdString()), cast.raw);
        const auto audited = [&] {
            return m_api->get("/api/v1/audit?action=sessions.recording&resource_id=" + id)
                .body["items"]
                .size();
        };
        const std::size_t before = audited();
        QCOMPARE(m_api->get("/api/v1/sessions/" + id + "/recording").status, 200);
        QCOMPARE(audited(), before + 1);
        if (QStandardPaths::findExecutable("asciinema").isEmpty())
            QSKIP("asciinema is not installed (scripts/debian-packages.txt lists it): the recording was not "
                  "played");
        {
            // asciinema wants a terminal of its own: script(1) (bsdutils, always there) gives it one.
            QProcess play;
            play.setStandardInputFile(QProcess::nullDevice());
            play.start("script", {"-qec", "asciinema cat " + file, "/dev/null"});
            QVERIFY(play.waitForFinished(30000));
            QCOMPARE(play.exitCode(), 0);
            QVERIFY(play.readAllStandardOutput().contains("visible-output"));
        }
    }

    void aShellTheDeviceDoesNotAllowIsRefusedWithItsReason() {
        const auto session = openTerminal({{"shell", "/usr/bin/python3"}});
        Terminal term(session, m_fleet->server->caFile());
        QVERIFY(term.until([&] { return term.relay().ended().has_value(); }));
        QVERIFY((*term.relay().ended())["reason"].get<std::string>().find("not allowed") !=
                std::string::npos);
        QTRY_COMPARE_WITH_TIMEOUT(sessionRecord(session["id"])["state"], "closed", 10000);
    }

    void theConsoleReachesTheNodeHoldingTheAgent() {
        // A second node on the same database and keys; a second agent connects to it.
        test::TestServer other(*m_postgres, "sessions",
                               {{"database.url", m_fleet->server->databaseUrl().toStdString()},
                                {"server.state_dir", m_fleet->server->stateDir()}});
        test::TestAgent::Options options;
        options.identity = "sessions-02";
        options.serverUrl = QString::fromStdString(other.url());
        test::TestAgent agent(other, m_fleet->enrollmentKey(), options);
        agent.start();
        QTRY_VERIFY_WITH_TIMEOUT(m_api->get("/api/v1/devices/" + agent.deviceId()).body["status"] == "online",
                                 20000);
        // Asked on the first node, the session is relayed by the second.
        const auto response =
            m_api->post("/api/v1/devices/" + agent.deviceId() + "/sessions", {{"kind", "terminal"}});
        QCOMPARE(response.status, 201);
        const std::string relayUrl = response.body["relay_url"];
        QVERIFY2(relayUrl.find(":" + std::to_string(other.port()) + "/") != std::string::npos,
                 relayUrl.c_str());
        // The first node turns the console away and names the right one; the token stays good.
        nlohmann::json wrong = response.body;
        wrong["relay_url"] =
            "wss://localhost:" + std::to_string(m_fleet->server->port()) + "/api/v1/relay/ws";
        try {
            Terminal nope(wrong, m_fleet->server->caFile());
            QFAIL("the node without the agent relayed it");
        } catch (const net::WebSocketRefused& refused) {
            QCOMPARE(refused.status(), 409);
            QCOMPARE(refused.code(), "wrong_node");
        }
        auto term = terminal(response.body);
        QVERIFY(term->run("hostname >/dev/null; echo via-other-node", "relayed"));
        term->type("exit\r");
        QVERIFY(term->until([&] { return term->relay().ended().has_value(); }));
        agent.stop();
    }
};

QTEST_GUILESS_MAIN(TestRemoteSessions)
#include "TestRemoteSessions.moc"
