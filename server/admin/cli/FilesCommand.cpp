#include "cli/CliContext.h"
#include "cli/Noun.h"
#include "crypto/Sha256Stream.h"
#include "encoding/Hex.h"
#include "net/FileSessionClient.h"
#include "net/WebSocketConnector.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>
#include <unistd.h>

namespace breeze::admin {

namespace {
using Clock = std::chrono::steady_clock;
constexpr int kAttempts = 10;

// A file session on the device for the length of one command, attached again after a drop, ended at the end.
class FileSessionScope {
public:
    FileSessionScope(CliContext& cli, const std::string& device)
        : m_cli(cli), m_tls(net::makeClientSslContext(cli.caFile())) {
        nlohmann::json body{{"kind", "files"}};
        if (cli.has("--root"))
            body["root"] = cli.option("--root");
        m_grant = cli.call("POST", "/api/v1/devices/" + device + "/sessions", body).body;
        connect();
    }
    ~FileSessionScope() {
        m_client.reset();
        try {
            m_cli.client().request("DELETE", "/api/v1/sessions/" + m_grant["id"].get<std::string>(),
                                   std::nullopt);
        } catch (const std::exception&) {
            // The server closes it on its own once it has waited for a console long enough.
        }
    }
    net::FileSessionClient& client() { return *m_client; }

    // Runs `work`, attaching again and running it once more (it resumes) when the connection drops.
    template <typename Work> auto withRetries(Work work) {
        for (int attempt = 1;; ++attempt) {
            try {
                return work(*m_client);
            } catch (const net::FileSessionClient::Failure& failure) {
                if (failure.code() != "disconnected" || attempt >= kAttempts)
                    throw;
                m_cli.err() << "\nbreeze-admin: " << failure.what() << "; attaching again\n";
                std::this_thread::sleep_for(std::chrono::milliseconds(500 * attempt));
                m_grant =
                    m_cli
                        .call("POST", "/api/v1/sessions/" + m_grant["id"].get<std::string>() + "/attach",
                              nlohmann::json::object())
                        .body;
                connect();
            }
        }
    }

private:
    void connect() {
        m_client.reset();
        m_client = std::make_unique<net::FileSessionClient>(std::make_unique<net::RelayConnection>(
            m_grant["relay_url"], m_grant["token"], m_tls.get(), protocol::SessionKind::Files));
    }

    CliContext& m_cli;
    net::SslContextPtr m_tls;
    nlohmann::json m_grant;
    std::unique_ptr<net::FileSessionClient> m_client;
};

// A progress bar with speed and time left on a terminal; nothing when stderr is not one (or with --json).
net::FileSessionClient::Progress progressBar(CliContext& cli, const std::string& what) {
    if (cli.flag("--json") || !::isatty(STDERR_FILENO))
        return {};
    const auto started = Clock::now();
    auto last = std::make_shared<Clock::time_point>();
    return [&cli, what, started, last](std::uint64_t done, std::uint64_t total) {
        const auto now = Clock::now();
        if (done < total && now - *last < std::chrono::milliseconds(200))
            return;
        *last = now;
        const double seconds = std::max(1e-3, std::chrono::duration<double>(now - started).count());
        const double speed = static_cast<double>(done) / seconds;
        const double left = speed > 0 ? static_cast<double>(total - done) / speed : 0;
        const int percent = total == 0 ? 100 : static_cast<int>(100 * done / total);
        char line[200];
        std::snprintf(line, sizeof line, "\r%s %3d%%  %.1f MB/s  %.0f s left   ", what.c_str(), percent,
                      speed / 1e6, left);
        cli.err() << line << (done >= total ? "\n" : "") << std::flush;
    };
}

std::string modeText(const net::FileSessionClient::Entry& entry) {
    std::string text = entry.type == "dir" ? "d" : entry.type == "link" ? "l" : "-";
    for (int shift = 6; shift >= 0; shift -= 3)
        for (int bit = 2; bit >= 0; --bit)
            text += (entry.mode >> (shift + bit)) & 1 ? "rwx"[2 - bit] : '-';
    return text;
}

// Whether `put` goes to many devices: a site, group or organisation, or more than one --device.
bool manyDevices(CliContext& cli) {
    return cli.has("--site") || cli.has("--group") || (cli.has("--org") && !cli.has("--device")) ||
           cli.resolveDevices().size() > 1;
}

// One file to many devices: the file goes to the server once (only the chunks it does not have yet, so a cut
// upload goes on where it stopped), then the push; every device's result, verified by its own SHA-256.
int runPush(CliContext& cli) {
    const std::string local = cli.positional(2, "the local file");
    const std::string remote = cli.positional(3, "the remote path");
    std::ifstream in(local, std::ios::binary);
    if (!in)
        throw CliFailure("cannot read " + local);
    crypto::Sha256Stream whole;
    std::uint64_t size = 0;
    std::string buffer(std::size_t{1} << 20, '\0');
    while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0) {
        whole.update(std::string_view(buffer.data(), static_cast<std::size_t>(in.gcount())));
        size += static_cast<std::uint64_t>(in.gcount());
    }
    const std::string sha = encoding::hexEncode(whole.finish());
    const nlohmann::json blob =
        cli.call("POST", "/api/v1/file-blobs", nlohmann::json{{"sha256", sha}, {"size", size}}).body;
    if (!blob.value("complete", false)) {
        const auto chunkBytes = blob.value("chunk_bytes", std::uint64_t{0});
        const auto chunks = blob.value("chunks", std::uint64_t{0});
        if (chunkBytes == 0)
            throw CliFailure("the server gave no chunk size");
        std::set<std::uint64_t> have;
        for (const auto& seq : blob.value("have", nlohmann::json::array()))
            have.insert(seq.get<std::uint64_t>());
        const auto bar = progressBar(cli, local + " to the server");
        std::string chunk(chunkBytes, '\0');
        in.clear();
        for (std::uint64_t seq = 0; seq < chunks; ++seq) {
            if (have.contains(seq))
                continue;
            in.seekg(static_cast<std::streamoff>(seq * chunkBytes));
            in.read(chunk.data(),
                    static_cast<std::streamsize>(std::min(chunkBytes, size - seq * chunkBytes)));
            const auto response = cli.client().sendRaw(
                "PUT", "/api/v1/file-blobs/" + sha + "/chunks/" + std::to_string(seq),
                chunk.substr(0, static_cast<std::size_t>(in.gcount())), "application/octet-stream");
            if (!response.ok())
                throw CliFailure(response.errorMessage());
            if (bar)
                bar(std::min(size, (seq + 1) * chunkBytes), size);
        }
        cli.call("POST", "/api/v1/file-blobs/" + sha + "/complete", nlohmann::json::object());
    }
    nlohmann::json body{{"sha256", sha}, {"path", remote}, {"conflict", cli.option("--conflict", "fail")}};
    if (const auto ids = cli.resolveDevices(); ids.size() > 1)
        body["device_ids"] = ids;
    else if (cli.has("--site"))
        body["site_id"] = cli.resolveSite(cli.option("--site"), cli.option("--org"));
    else if (cli.has("--group"))
        body["group_id"] = cli.resolveGroup(cli.option("--group"), cli.option("--org"));
    else
        body["org_id"] = cli.resolveOrg(cli.option("--org"));
    const nlohmann::json push = cli.call("POST", "/api/v1/file-pushes", body).body;
    const std::string id = push["id"];
    if (cli.flag("--no-wait")) {
        cli.out() << (cli.flag("--json") ? push.dump() : "push " + id) << "\n";
        return 0;
    }
    // Offline devices get it when they come back: waiting stops at --timeout, and the push goes on.
    const auto deadline = Clock::now() + std::chrono::seconds(parseDuration(cli.option("--timeout", "10m")));
    nlohmann::json state;
    for (;;) {
        state = cli.call("GET", "/api/v1/file-pushes/" + id).body;
        const auto& counts = state["counts"];
        const long long open = counts.value("pending", 0LL) + counts.value("running", 0LL);
        if (!cli.flag("--json") && ::isatty(STDERR_FILENO))
            cli.err() << "\rpush " << id << ": " << counts.value("done", 0LL) << " done, "
                      << counts.value("skipped", 0LL) << " skipped, " << counts.value("failed", 0LL)
                      << " failed, " << open << " to go   " << std::flush;
        if (open == 0 || Clock::now() > deadline)
            break;
        std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    if (!cli.flag("--json") && ::isatty(STDERR_FILENO))
        cli.err() << "\n";
    if (cli.flag("--json")) {
        cli.out() << state.dump(2) << "\n";
    } else {
        for (const auto& device : state["devices"])
            cli.out() << (device["hostname"].is_string() ? device["hostname"].get<std::string>()
                                                         : device["device_id"].get<std::string>())
                      << "  " << device["state"].get<std::string>()
                      << (device.value("verified", false)
                              ? "  verified " + device["written_sha256"].get<std::string>()
                              : "")
                      << (device["written_path"].is_string()
                              ? "  " + device["written_path"].get<std::string>()
                              : "")
                      << (device.value("error", std::string()).empty()
                              ? ""
                              : "  " + device["error"].get<std::string>())
                      << "\n";
    }
    const auto& counts = state["counts"];
    return counts.value("failed", 0LL) > 0                                   ? 3
           : counts.value("pending", 0LL) + counts.value("running", 0LL) > 0 ? 4
                                                                             : 0;
}

// A name from the device that is one name (not ".", "..", nor holding a "/"): anything else could steer where
// a copied folder's files land here.
bool plainName(const std::string& name) {
    return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
           name.find('\0') == std::string::npos;
}

// A whole folder down (`get --recursive`) or up (`put --recursive`), file by file, each checked like a single
// file and resumed after a dropped connection; links and special files are left out and said.
int copyFolder(CliContext& cli, FileSessionScope& session, bool down, const std::string& from,
               const std::string& to) {
    nlohmann::json copied = nlohmann::json::array();
    nlohmann::json skipped = nlohmann::json::array();
    const std::string conflict = cli.option("--conflict", "fail");
    const auto join = [](const std::string& folder, const std::string& name) {
        return folder.ends_with('/') ? folder + name : folder + "/" + name;
    };
    if (down) {
        std::vector<std::pair<std::string, std::string>> folders{{from, to}};
        while (!folders.empty()) {
            const std::string remote = folders.back().first;
            const std::string local = folders.back().second;
            folders.pop_back();
            std::filesystem::create_directories(local);
            const auto entries = session.withRetries([&](auto& client) { return client.list(remote, true); });
            for (const auto& entry : entries) {
                if (!plainName(entry.name)) {
                    skipped.push_back({{"path", join(remote, entry.name)}, {"reason", "not a plain name"}});
                } else if (entry.type == "dir") {
                    folders.emplace_back(join(remote, entry.name), join(local, entry.name));
                } else if (entry.type != "file") {
                    skipped.push_back({{"path", join(remote, entry.name)}, {"reason", entry.type}});
                } else {
                    const std::string source = join(remote, entry.name);
                    const std::string target = join(local, entry.name);
                    if (std::filesystem::exists(target) && conflict != "replace") {
                        skipped.push_back({{"path", source}, {"reason", "already here"}});
                        continue;
                    }
                    std::uint64_t resume = 0;
                    const std::string sha = session.withRetries([&](auto& client) {
                        try {
                            return client.download(source, target, progressBar(cli, source), resume);
                        } catch (const net::FileSessionClient::Failure&) {
                            resume = client.verifiedBytes();
                            throw;
                        }
                    });
                    copied.push_back({{"from", source}, {"to", target}, {"sha256", sha}});
                }
            }
        }
    } else {
        const std::filesystem::path root(from);
        if (!std::filesystem::is_directory(root))
            throw CliFailure(from + " is not a folder");
        const auto mkdir = [&](const std::string& remote) {
            session.withRetries([&](auto& client) {
                try {
                    client.mkdir(remote);
                } catch (const net::FileSessionClient::Failure& failure) {
                    if (failure.code() != "exists")
                        throw;
                }
                return 0;
            });
        };
        mkdir(to);
        for (auto it = std::filesystem::recursive_directory_iterator(root);
             it != std::filesystem::recursive_directory_iterator(); ++it) {
            const std::string relative = std::filesystem::relative(it->path(), root).string();
            const std::string remote = join(to, relative);
            if (it->is_symlink()) {
                skipped.push_back({{"path", it->path().string()}, {"reason", "link"}});
                it.disable_recursion_pending();
            } else if (it->is_directory()) {
                mkdir(remote);
            } else if (it->is_regular_file()) {
                const auto done = session.withRetries([&](auto& client) {
                    return client.upload(it->path().string(), remote, conflict, progressBar(cli, relative));
                });
                if (done.value("skipped", false))
                    skipped.push_back({{"path", it->path().string()}, {"reason", "already there"}});
                else
                    copied.push_back({{"from", it->path().string()},
                                      {"to", remote},
                                      {"sha256", done.value("sha256", "")}});
            } else {
                skipped.push_back({{"path", it->path().string()}, {"reason", "special file"}});
            }
        }
    }
    if (cli.flag("--json")) {
        cli.out() << nlohmann::json{{"copied", copied}, {"skipped", skipped}}.dump(
                         2, ' ', false, nlohmann::json::error_handler_t::replace)
                  << "\n";
    } else {
        for (const auto& file : copied)
            cli.out() << file["to"].get<std::string>() << "  sha256 " << file["sha256"].get<std::string>()
                      << "\n";
        for (const auto& file : skipped)
            cli.err() << "left out: " << file["path"].get<std::string>() << " ("
                      << file["reason"].get<std::string>() << ")\n";
        cli.out() << copied.size() << " files copied, " << skipped.size() << " left out\n";
    }
    return 0;
}

int runFiles(CliContext& cli) {
    const std::string action = cli.positional(1, "files action (ls, get, put, push, rm, mkdir, mv)");
    if (action == "put" && manyDevices(cli))
        return runPush(cli);
    if (action == "push") {
        const nlohmann::json push =
            cli.call("GET", "/api/v1/file-pushes/" + cli.positional(2, "a push id")).body;
        if (cli.flag("--json"))
            cli.out() << push.dump(2) << "\n";
        else
            cli.printItems(push["devices"], {"hostname", "state", "verified", "written_path", "error"});
        return 0;
    }
    const std::string device =
        cli.resolveDevice(action == "ls" ? cli.positional(2, "a device") : cli.requireOption("--device"));
    FileSessionScope session(cli, device);
    const auto at = [&](std::size_t index, const char* what) { return cli.positional(index, what); };
    const std::size_t first = action == "ls" ? 3 : 2;
    if (action == "ls") {
        const std::string path = cli.positionals().size() > first ? at(first, "a path") : std::string("/");
        const auto entries = session.withRetries([&](auto& client) { return client.list(path, true); });
        if (cli.flag("--json")) {
            nlohmann::json items = nlohmann::json::array();
            for (const auto& entry : entries)
                items.push_back({{"name", entry.name},
                                 {"type", entry.type},
                                 {"size", entry.size},
                                 {"mtime", entry.mtime},
                                 {"mode", entry.mode},
                                 {"owner", entry.owner},
                                 {"group", entry.group},
                                 {"target", entry.target}});
            cli.out() << items.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
            return 0;
        }
        for (const auto& entry : entries)
            cli.out() << modeText(entry) << "  " << entry.owner << " " << entry.group << "  " << entry.size
                      << "  " << entry.name << (entry.type == "link" ? " -> " + entry.target : "") << "\n";
        return 0;
    }
    if ((action == "get" || action == "put") && cli.flag("--recursive"))
        return copyFolder(cli, session, action == "get", at(first, "the source folder"),
                          action == "get" ? cli.requireOption("--out") : at(first + 1, "the remote folder"));
    if (action == "get") {
        const std::string remote = at(first, "the remote file");
        const std::string local = cli.requireOption("--out");
        const auto bar = progressBar(cli, remote);
        std::uint64_t resume = 0;
        const std::string sha = session.withRetries([&](auto& client) {
            try {
                return client.download(remote, local, bar, resume);
            } catch (const net::FileSessionClient::Failure&) {
                resume = client.verifiedBytes(); // the next attempt goes on from here
                throw;
            }
        });
        if (cli.flag("--json"))
            cli.out() << nlohmann::json{{"remote", remote}, {"local", local}, {"sha256", sha}}.dump() << "\n";
        else
            cli.out() << "downloaded " << remote << " to " << local << " (sha256 " << sha << ")\n";
        return 0;
    }
    if (action == "put") {
        const std::string local = at(first, "the local file");
        const std::string remote = at(first + 1, "the remote path");
        const auto bar = progressBar(cli, local);
        const auto done = session.withRetries([&](auto& client) {
            return client.upload(local, remote, cli.option("--conflict", "fail"), bar);
        });
        if (cli.flag("--json"))
            cli.out() << done.dump() << "\n";
        else if (done.value("skipped", false))
            cli.out() << "skipped: " << remote << " is already there\n";
        else
            cli.out() << "uploaded " << local << " (sha256 " << done.value("sha256", std::string()) << ")\n";
        return 0;
    }
    if (action == "rm") {
        session.withRetries([&](auto& client) {
            client.remove(at(first, "a path"), cli.flag("--recursive"));
            return 0;
        });
        return 0;
    }
    if (action == "mkdir") {
        session.withRetries([&](auto& client) {
            client.mkdir(at(first, "a path"));
            return 0;
        });
        return 0;
    }
    if (action == "mv") {
        session.withRetries([&](auto& client) {
            client.rename(at(first, "the path to move"), at(first + 1, "its new path"));
            return 0;
        });
        return 0;
    }
    throw CliFailure("unknown files action " + action + " (ls, get, put, rm, mkdir, mv)");
}

// The device's refusals read as such.
int runFilesChecked(CliContext& cli) {
    try {
        return runFiles(cli);
    } catch (const net::FileSessionClient::Failure& failure) {
        throw CliFailure(std::string(failure.what()) + " (" + failure.code() + ")");
    }
}
} // namespace

extern const Noun kFilesNoun{
    "files",
    "  files ls DEVICE [PATH] | get --device D REMOTE --out LOCAL | put --device D LOCAL REMOTE\n"
    "        [--recursive: a whole folder either way; links and special files are left out and said]\n"
    "        [--conflict fail|replace|keep_both|skip] | rm --device D PATH [--recursive] | mkdir --device D "
    "PATH |\n"
    "        mv --device D FROM TO   [--root FOLDER] [--json]\n"
    "  files put --site S | --group G | --org O | --device D --device E ... LOCAL REMOTE [--conflict ...]\n"
    "        [--no-wait] [--timeout 10m] [--json] | push ID\n"
    "      one file to many devices: sent to the server once, then to each device, whose own SHA-256 of "
    "what\n"
    "      it wrote is checked; exit 3 when a device failed, 4 when some had not had it by --timeout\n"
    "      files on the device, chunks checked by SHA-256 and the whole file at the end; a transfer cut "
    "short\n"
    "      resumes\n",
    runFilesChecked};

} // namespace breeze::admin
