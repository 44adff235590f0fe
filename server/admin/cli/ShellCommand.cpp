#include "RawTerminal.h"
#include "cli/CliContext.h"
#include "cli/Noun.h"
#include "crypto/SecureRandom.h"
#include "net/RelayConnection.h"
#include "net/WebSocketConnector.h"
#include "protocol/TerminalControl.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <fstream>
#include <iomanip>
#include <poll.h>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace breeze::admin {

namespace {
using Clock = std::chrono::steady_clock;
constexpr auto kGiveUpAfter = std::chrono::minutes(10); // the server keeps a detached session as long

std::atomic<bool> g_resized{false};

// One argument as the remote POSIX shell reads it back: single-quoted unless plainly safe.
std::string shellQuoted(const std::string& word) {
    if (!word.empty() &&
        word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                               "@%+=:,./-_") == std::string::npos)
        return word;
    std::string quoted = "'";
    for (const char c : word)
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

bool writeAll(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t wrote = ::write(fd, bytes.data(), bytes.size());
        if (wrote < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        bytes.remove_prefix(static_cast<std::size_t>(wrote));
    }
    return true;
}

int runShell(CliContext& cli) {
    const std::string device = cli.resolveDevice(cli.positional(1, "a device (id, host name or identity)"));
    const bool keyboard = ::isatty(STDIN_FILENO) != 0;
    const bool screen = ::isatty(STDOUT_FILENO) != 0;
    int cols = 80;
    int rows = 24;
    RawTerminal::size(STDOUT_FILENO, cols, rows);
    nlohmann::json body{{"kind", "terminal"}, {"cols", cols}, {"rows", rows}};
    if (cli.has("--user"))
        body["user"] = cli.option("--user");
    if (cli.has("--shell"))
        body["shell"] = cli.option("--shell");
    if (!cli.trailing().empty()) {
        std::string command;
        for (const auto& word : cli.trailing())
            command += (command.empty() ? "" : " ") + shellQuoted(word);
        body["command"] = command;
        if (!keyboard)
            body["echo"] = false; // piped input is data for the command, not typing to show
    }
    nlohmann::json grant = cli.call("POST", "/api/v1/devices/" + device + "/sessions", body).body;
    const std::string sessionId = grant["id"];
    const auto tls = net::makeClientSslContext(cli.caFile());

    struct sigaction onResize {};
    onResize.sa_handler = [](int) { g_resized = true; };
    sigaction(SIGWINCH, &onResize, nullptr);
    RawTerminal raw(STDIN_FILENO);
    std::optional<nlohmann::json> ended;
    bool stdinOpen = true;
    // Output as it came when it goes to a terminal; plain lines (no carriage returns) when captured.
    const auto show = [&](protocol::StreamKind, std::string_view data) {
        if (screen) {
            writeAll(STDOUT_FILENO, data);
            return;
        }
        std::string lines;
        lines.reserve(data.size());
        for (std::size_t i = 0; i < data.size(); ++i)
            if (!(data[i] == '\r' && i + 1 < data.size() && data[i + 1] == '\n'))
                lines.push_back(data[i]);
        writeAll(STDOUT_FILENO, lines);
    };
    const auto lost = [&](const std::string& why) {
        raw.restore();
        cli.err() << "\r\nbreeze-admin: " << why << "\n";
    };
    auto lastAttached = Clock::now();
    int attempts = 0;
    while (!ended) {
        std::unique_ptr<net::RelayConnection> relay;
        try {
            relay = std::make_unique<net::RelayConnection>(grant["relay_url"], grant["token"], tls.get(),
                                                           protocol::SessionKind::Terminal);
        } catch (const net::WebSocketRefused& refused) {
            if (refused.status() != 409 || refused.code() == "wrong_node") {
                lost("the server refused the session: " + std::string(refused.what()));
                return 255;
            }
        } catch (const std::exception&) {
            // Unreachable for now: tried again below.
        }
        if (relay) {
            attempts = 0;
            g_resized = true; // the window may have changed while away
            while (relay->open() && !ended) {
                if (g_resized.exchange(false)) {
                    RawTerminal::size(STDOUT_FILENO, cols, rows);
                    relay->sendControl(protocol::TerminalResize{cols, rows}.encode());
                }
                pollfd fds[2] = {{relay->fd(), POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
                // Keystrokes wait in the kernel while the device has not taken the last ones.
                const bool readKeys = stdinOpen && relay->pendingBytes() < std::size_t{1024} * 1024;
                ::poll(fds, readKeys ? 2 : 1, 100);
                if (readKeys && (fds[1].revents & (POLLIN | POLLHUP))) {
                    char buffer[65536];
                    const ssize_t got = ::read(STDIN_FILENO, buffer, sizeof buffer);
                    if (got > 0) {
                        relay->send(protocol::StreamKind::TerminalData,
                                    std::string_view(buffer, static_cast<std::size_t>(got)));
                    } else if (got == 0 || errno != EINTR) {
                        stdinOpen = false;
                        // Piped input has ended: end of file for the remote program (twice after a partial
                        // line).
                        if (!keyboard)
                            relay->send(protocol::StreamKind::TerminalData, "\x04\x04");
                    }
                }
                relay->pump(std::chrono::milliseconds(0), {show, [&](const nlohmann::json& control) {
                                                               if (control["type"] == "closed")
                                                                   ended = control;
                                                           }});
            }
            lastAttached = Clock::now();
            if (ended)
                break;
        }
        // The connection dropped (or could not be made): the session waits on the device; come back to it.
        if (Clock::now() - lastAttached > kGiveUpAfter) {
            lost("the connection did not come back in time; the session has ended");
            return 255;
        }
        const auto delay =
            std::chrono::milliseconds(std::min(30'000, 500 << std::min(attempts++, 6)) / 2 +
                                      crypto::SecureRandom::uniform(static_cast<std::uint32_t>(
                                          std::min(30'000, 500 << std::min(attempts, 6)) / 2)));
        if (raw.active())
            cli.err() << "\r\nbreeze-admin: connection lost; attaching again in " << delay.count()
                      << " ms\r\n";
        std::this_thread::sleep_for(delay);
        const auto again = cli.client().request("POST", "/api/v1/sessions/" + sessionId + "/attach",
                                                nlohmann::json::object());
        if (again.status == 200) {
            grant = again.body;
        } else if (again.status != 409 || again.errorMessage().find("has ended") != std::string::npos) {
            if (again.status >= 400 && again.status < 500) {
                lost("the session cannot be attached again: " + again.errorMessage());
                return 255;
            }
        }
    }
    raw.restore();
    if (ended->contains("exit_code") && (*ended)["exit_code"].is_number_integer())
        return (*ended)["exit_code"].get<int>();
    cli.err() << "breeze-admin: the session ended: " << ended->value("reason", std::string("closed")) << "\n";
    return 255;
}

std::string fixed(double value, int decimals) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(decimals) << value;
    return out.str();
}

std::string qualityLine(const nlohmann::json& q) {
    const auto number = [&q](const char* key) { return q.value(key, 0.0); };
    const auto& latency = q.value("latency_ms", nlohmann::json::object());
    return fixed(number("fps"), 1) + " fps, " + fixed(number("kbps"), 0) + " kbit/s, latency p50 " +
           fixed(latency.value("p50", 0.0), 0) + " ms, p95 " + fixed(latency.value("p95", 0.0), 0) +
           " ms, p99 " + fixed(latency.value("p99", 0.0), 0) + " ms, " +
           fixed(number("pictures_dropped"), 0) + " of " +
           fixed(number("pictures_received") + number("pictures_dropped"), 0) +
           " pictures dropped, round trip " + fixed(number("round_trip_ms"), 0) + " ms, decoding " +
           fixed(number("decode_ms"), 1) + " ms, " + q.value("codec", std::string()) + " over " +
           fixed(number("seconds"), 0) + " s";
}

std::string recordingLine(const nlohmann::json& r) {
    std::string line = fixed(r.value("bytes", 0.0) / 1e6, 1) + " MB";
    for (const auto& stream : r.value("streams", nlohmann::json::array()))
        line += "; stream " + std::to_string(stream.value("stream", 0)) + ": " +
                stream.value("codec", std::string()) + " " + std::to_string(stream.value("width", 0)) + "x" +
                std::to_string(stream.value("height", 0)) + ", " +
                fixed(stream.value("duration_ms", 0.0) / 1000, 1) + " s, " +
                std::to_string(stream.value("pictures", 0)) + " pictures";
    if (r.value("dropped_bytes", 0) > 0)
        line += "; " + std::to_string(r.value("dropped_bytes", 0)) + " bytes could not be kept";
    return line;
}

int runSessions(CliContext& cli) {
    const std::string action = cli.positional(1, "sessions action (list, show, download, close)");
    if (action == "list") {
        std::string query = "?limit=" + std::to_string(parseCount(cli.option("--limit", "50")));
        if (cli.has("--device"))
            query += "&device_id=" + cli.resolveDevice(cli.option("--device"));
        if (cli.has("--type"))
            query += "&kind=" + urlEncode(cli.option("--type"));
        if (cli.has("--state"))
            query += "&state=" + urlEncode(cli.option("--state"));
        cli.printItems(cli.call("GET", "/api/v1/sessions" + query).body["items"],
                       {"id", "type=kind", "state", "device=hostname", "by=actor", "started=started_at",
                        "ended=ended_at", "to device=bytes_to_device", "from device=bytes_from_device"});
        return 0;
    }
    if (action == "show") {
        auto session = cli.call("GET", "/api/v1/sessions/" + cli.positional(2, "a session id")).body;
        if (!cli.flag("--json")) {
            // What a person reads: a desktop's quality and recording in a line each.
            if (const auto& quality = session["quality"]; quality.is_object())
                session["quality"] = qualityLine(quality);
            if (const auto& recording = session["recording"]; recording.is_object())
                session["recording"] = recordingLine(recording);
        }
        cli.printObject(session);
        return 0;
    }
    if (action == "download") {
        const std::string id = cli.positional(2, "a session id");
        const std::string out = cli.requireOption("--out");
        const std::string stream = cli.has("--stream") ? "?stream=" + urlEncode(cli.option("--stream")) : "";
        const auto response =
            cli.client().request("GET", "/api/v1/sessions/" + id + "/recording" + stream, std::nullopt);
        if (!response.ok())
            throw CliFailure(response.errorMessage() +
                             (response.errorCode().empty() ? "" : " (" + response.errorCode() + ")"));
        std::ofstream file(out, std::ios::binary | std::ios::trunc);
        file.write(response.raw.data(), static_cast<std::streamsize>(response.raw.size()));
        if (!file.flush())
            throw CliFailure("cannot write " + out);
        // A desktop's recording is a video file (Matroska's EBML header starts both WebM and MKV).
        const bool video = response.raw.starts_with("\x1a\x45\xdf\xa3");
        cli.out() << "saved the recording (" << response.raw.size() << " bytes) to " << out
                  << "; play it with: "
                  << (video ? "any video player (mpv, VLC, ffplay) " : "asciinema play ") << out << "\n";
        return 0;
    }
    if (action == "close") {
        cli.printObject(cli.call("DELETE", "/api/v1/sessions/" + cli.positional(2, "a session id")).body);
        return 0;
    }
    throw CliFailure("unknown sessions action " + action + " (list, show, download, close)");
}
} // namespace

extern const Noun kShellNoun{
    "shell",
    "  shell DEVICE [--user NAME] [--shell PATH] [-- COMMAND [ARGS...]]\n"
    "      a terminal on the device in this one (raw mode, window size followed; comes back "
    "after a drop);\n"
    "      with a command: runs it there and exits with its exit code\n",
    runShell};
extern const Noun kSessionsNoun{
    "sessions",
    "  sessions list [--device D] [--type terminal|files|desktop] [--state live|closed] | "
    "show ID | download ID --out FILE [--stream N] | close ID\n"
    "      download: a terminal's recording in asciicast v2, a desktop's as one video file of one stream\n",
    runSessions};

} // namespace breeze::admin
