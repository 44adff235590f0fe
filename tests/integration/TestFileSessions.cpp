// File sessions end to end: the real agent on this machine's file system through the real server's relay,
// with the client breeze-admin uses. Listing with owners, modes and links; names with spaces, Unicode,
// newlines and leading dashes; large files both ways byte for byte; an upload cut short that resumes from the
// device's manifest; conflicts; folders made, renamed and deleted; a root folder no path or link leads out
// of; rights that allow only downloads; and breeze-admin files with --json.
#include "ProgramRun.h"
#include "TestAgent.h"
#include "TestFleet.h"
#include "TestPostgres.h"
#include "crypto/Digest.h"
#include "encoding/Hex.h"
#include "net/FileSessionClient.h"
#include "net/TlsConnection.h"

#include <QtTest>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

using namespace breeze;
namespace fs = std::filesystem;

namespace {
std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeFile(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

std::string randomBytes(std::size_t size, unsigned seed) {
    std::mt19937_64 random(seed);
    std::string bytes(size, '\0');
    for (std::size_t i = 0; i + 8 <= size; i += 8) {
        const std::uint64_t word = random();
        std::memcpy(bytes.data() + i, &word, 8);
    }
    return bytes;
}
} // namespace

class TestFileSessions final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestPostgres> m_postgres;
    std::unique_ptr<test::TestFleet> m_fleet;
    std::unique_ptr<test::TestAgent> m_agent;
    std::string m_device;
    QTemporaryDir m_dir{QDir::tempPath() + "/breeze-files-XXXXXX"};
    std::string m_root; // the device side of every test, an absolute path on this machine
    std::string m_local;
    net::SslContextPtr m_tls;

    std::unique_ptr<net::FileSessionClient> session(net::RestClient& api, const nlohmann::json& extra = {}) {
        nlohmann::json body{{"kind", "files"}};
        for (const auto& [key, value] : extra.items())
            body[key] = value;
        const auto opened = api.post("/api/v1/devices/" + m_device + "/sessions", body);
        if (opened.status != 201)
            throw std::runtime_error(opened.raw);
        return std::make_unique<net::FileSessionClient>(std::make_unique<net::RelayConnection>(
            opened.body["relay_url"], opened.body["token"], m_tls.get(), protocol::SessionKind::Files));
    }

    std::unique_ptr<net::RestClient> userWithRole(const nlohmann::json& role) {
        static int counter = 0;
        return m_fleet->userWithRole(role, "files" + std::to_string(++counter) + "@files.test");
    }

private Q_SLOTS:
    void initTestCase() {
        m_root = m_dir.filePath("device").toStdString();
        m_local = m_dir.filePath("local").toStdString();
        fs::create_directories(m_root);
        fs::create_directories(m_local);
        m_postgres = std::make_unique<test::TestPostgres>();
        m_fleet = std::make_unique<test::TestFleet>(*m_postgres, "files", "admin@files.test", "Files MSP",
                                                    "Fleet", "HQ");
        test::TestAgent::Options options;
        options.identity = "files-01";
        m_agent = std::make_unique<test::TestAgent>(*m_fleet->server, m_fleet->enrollmentKey(), options);
        m_agent->start();
        m_device = m_agent->deviceId();
        QTRY_VERIFY_WITH_TIMEOUT(m_fleet->api->get("/api/v1/devices/" + m_device).body["status"] == "online",
                                 20000);
        m_tls = net::makeClientSslContext(m_fleet->server->caFile());
    }

    void cleanupTestCase() {
        m_agent.reset();
        m_fleet.reset();
        m_postgres.reset();
    }

    void listsNamesAsTheyAreWithOwnersModesAndLinks() {
        const std::string folder = m_root + "/names";
        fs::create_directories(folder);
        const std::vector<std::string> names{"with space.txt", "ünïcödé ✓", "new\nline", "-leading-dash",
                                             ".hidden"};
        for (const auto& name : names)
            writeFile(folder + "/" + name, name);
        fs::permissions(folder + "/-leading-dash", fs::perms::owner_read | fs::perms::owner_write);
        fs::create_symlink("with space.txt", folder + "/link-inside");
        auto files = session(*m_fleet->api);
        const auto entries = files->list(folder);
        std::map<std::string, net::FileSessionClient::Entry> byName;
        for (const auto& entry : entries)
            byName[entry.name] = entry;
        for (const auto& name : names) {
            QVERIFY2(byName.contains(name), name.c_str());
            QCOMPARE(byName[name].size, name.size());
            QCOMPARE(byName[name].type, std::string("file"));
        }
        QCOMPARE(byName["-leading-dash"].mode, 0600);
        QCOMPARE(byName["link-inside"].type, std::string("link"));
        QCOMPARE(byName["link-inside"].target, std::string("with space.txt"));
        QVERIFY(!byName["with space.txt"].owner.empty());
        // Hidden files only when asked for.
        QVERIFY(std::ranges::none_of(files->list(folder, false),
                                     [](const auto& e) { return e.name == ".hidden"; }));
        // A name with a newline downloads as itself.
        const std::string local = m_local + "/newline-copy";
        files->download(folder + "/new\nline", local);
        QCOMPARE(readFile(local), std::string("new\nline"));
    }

    void largeFilesGoBothWaysByteForByte() {
        const std::string original =
            randomBytes(std::size_t{48} * 1024 * 1024 + 12345, 7); // not a whole number of chunks
        const std::string source = m_local + "/big.bin";
        writeFile(source, original);
        auto files = session(*m_fleet->api);
        const auto done = files->upload(source, m_root + "/big-upload.bin", "fail");
        QCOMPARE(done.value("sha256", std::string()), encoding::hexEncode(crypto::Digest::sha256(original)));
        QCOMPARE(readFile(m_root + "/big-upload.bin"), original);
        QVERIFY(!fs::exists(m_root + "/.big-upload.bin.breeze-part"));
        const std::string back = m_local + "/big-back.bin";
        const std::string sha = files->download(m_root + "/big-upload.bin", back);
        QCOMPARE(sha, encoding::hexEncode(crypto::Digest::sha256(original)));
        QVERIFY(readFile(back) == original);
        // An empty file too.
        writeFile(m_local + "/empty", "");
        files->upload(m_local + "/empty", m_root + "/empty", "fail");
        QVERIFY(fs::exists(m_root + "/empty") && fs::file_size(m_root + "/empty") == 0);
    }

    void anUploadCutShortResumesFromWhatTheDeviceHas() {
        const std::string original = randomBytes(std::size_t{24} * 1024 * 1024, 11);
        const std::string source = m_local + "/resume.bin";
        writeFile(source, original);
        std::uint64_t firstReport = 0;
        {
            auto files = session(*m_fleet->api);
            try {
                files->upload(source, m_root + "/resumed.bin", "fail",
                              [](std::uint64_t done, std::uint64_t total) {
                                  if (done > total / 2)
                                      throw std::runtime_error(
                                          "the console went away"); // mid-transfer, as a crash would
                              });
                QFAIL("the upload was not cut short");
            } catch (const std::runtime_error&) {
            }
        }                                              // the connection drops with the client
        QVERIFY(!fs::exists(m_root + "/resumed.bin")); // nothing in place before it is whole and checked
        QTest::qWait(1000);
        auto again = session(*m_fleet->api);
        again->upload(source, m_root + "/resumed.bin", "fail", [&](std::uint64_t done, std::uint64_t) {
            if (firstReport == 0)
                firstReport = done;
        });
        QVERIFY2(firstReport >= original.size() / 4,
                 std::to_string(firstReport).c_str()); // it skipped what was there
        QVERIFY(readFile(m_root + "/resumed.bin") == original);
        // A download cut short goes on from the chunks already checked here, and the whole file is checked.
        const std::string local = m_local + "/resumed-down.bin";
        std::uint64_t verified = 0;
        {
            auto files = session(*m_fleet->api);
            try {
                files->download(m_root + "/resumed.bin", local, [](std::uint64_t done, std::uint64_t total) {
                    if (done > total / 2)
                        throw std::runtime_error("the console went away");
                });
                QFAIL("the download was not cut short");
            } catch (const std::runtime_error&) {
            }
            verified = files->verifiedBytes();
        }
        QVERIFY(verified > 0);
        std::uint64_t resumedAt = 0;
        auto back = session(*m_fleet->api);
        const std::string sha = back->download(
            m_root + "/resumed.bin", local,
            [&](std::uint64_t done, std::uint64_t) {
                if (resumedAt == 0)
                    resumedAt = done;
            },
            verified);
        QVERIFY2(resumedAt >= verified, std::to_string(resumedAt).c_str());
        QCOMPARE(sha, encoding::hexEncode(crypto::Digest::sha256(original)));
        QVERIFY(readFile(local) == original);
    }

    void conflictsAreAskedNotGuessed() {
        writeFile(m_local + "/note.txt", "new text");
        writeFile(m_root + "/note.txt", "old text");
        auto files = session(*m_fleet->api);
        try {
            files->upload(m_local + "/note.txt", m_root + "/note.txt", "fail");
            QFAIL("an existing file was overwritten without asking");
        } catch (const net::FileSessionClient::Failure& failure) {
            QCOMPARE(failure.code(), std::string("exists"));
        }
        QVERIFY(files->upload(m_local + "/note.txt", m_root + "/note.txt", "skip").value("skipped", false));
        QCOMPARE(readFile(m_root + "/note.txt"), std::string("old text"));
        files->upload(m_local + "/note.txt", m_root + "/note.txt", "keep_both");
        QCOMPARE(readFile(m_root + "/note (2).txt"), std::string("new text"));
        files->upload(m_local + "/note.txt", m_root + "/note.txt", "replace");
        QCOMPARE(readFile(m_root + "/note.txt"), std::string("new text"));
    }

    void foldersAreMadeRenamedAndDeleted() {
        auto files = session(*m_fleet->api);
        files->mkdir(m_root + "/made/");
        QVERIFY(fs::is_directory(m_root + "/made"));
        writeFile(m_root + "/made/inside", "x");
        files->rename(m_root + "/made", m_root + "/-renamed dir");
        QVERIFY(fs::exists(m_root + "/-renamed dir/inside"));
        try {
            files->remove(m_root + "/-renamed dir", false);
            QFAIL("a folder with files went without --recursive");
        } catch (const net::FileSessionClient::Failure& failure) {
            QCOMPARE(failure.code(), std::string("not_empty"));
        }
        files->remove(m_root + "/-renamed dir", true);
        QVERIFY(!fs::exists(m_root + "/-renamed dir"));
    }

    void aRootFolderHoldsAndRightsLimit() {
        const std::string jail = m_root + "/jail";
        fs::create_directories(jail + "/inner");
        writeFile(jail + "/inner/ok.txt", "inside");
        writeFile(m_root + "/secret.txt", "outside");
        fs::create_symlink(m_root + "/secret.txt", jail + "/escape");
        fs::create_symlink("../secret.txt", jail + "/escape-relative");
        auto viewer = userWithRole(
            {{"name", "file-viewer"},
             {"files_root", jail},
             {"permissions", {"devices:read", "remote:files", "remote:files_download", "sessions:read"}}});
        auto files = session(*viewer);
        QCOMPARE(files->rights()["root"], jail);
        QCOMPARE(files->rights()["upload"], false);
        // Paths are inside the root: "/" is the jail; ".." and links do not lead out.
        const auto top = files->list("/");
        QVERIFY(std::ranges::any_of(top, [](const auto& e) { return e.name == "inner"; }));
        files->download("/inner/ok.txt", m_local + "/ok.txt");
        QCOMPARE(readFile(m_local + "/ok.txt"), std::string("inside"));
        for (const std::string path :
             {"/../secret.txt", "/escape", "/escape-relative", "/inner/../../secret.txt"}) {
            try {
                files->download(path, m_local + "/stolen");
                QFAIL(("read outside the root through " + path).c_str());
            } catch (const net::FileSessionClient::Failure& failure) {
                QVERIFY2(failure.code() != "ok", failure.what());
            }
        }
        QVERIFY(readFile(m_local + "/stolen").find("outside") == std::string::npos);
        // Download only: no uploads, folders, renames or deletions.
        writeFile(m_local + "/up.txt", "nope");
        for (const auto& attempt : std::vector<std::function<void()>>{
                 [&] { files->upload(m_local + "/up.txt", "/up.txt", "fail"); },
                 [&] { files->mkdir("/new"); }, [&] { files->remove("/inner/ok.txt", false); },
                 [&] { files->rename("/inner", "/moved"); }}) {
            try {
                attempt();
                QFAIL("a download-only session changed the device");
            } catch (const net::FileSessionClient::Failure& failure) {
                QCOMPARE(failure.code(), std::string("denied"));
            }
        }
        QVERIFY(fs::exists(jail + "/inner/ok.txt") && !fs::exists(jail + "/up.txt"));
        // A root its roles do not allow cannot be asked for.
        QCOMPARE(
            viewer->post("/api/v1/devices/" + m_device + "/sessions", {{"kind", "files"}, {"root", m_root}})
                .status,
            403);
    }

    void aRolesRightsCountOnlyInsideItsOwnFolder() {
        const std::string drop = m_root + "/drop-box";
        fs::create_directories(drop);
        // Reading everywhere from one role, writing only inside the drop box from another.
        auto person =
            userWithRole({{"name", "reader-everywhere"},
                          {"permissions", {"devices:read", "remote:files", "remote:files_download"}}});
        QCOMPARE(m_fleet->api
                     ->post("/api/v1/roles",
                            {{"name", "drop-box-writer"},
                             {"files_root", drop},
                             {"permissions", {"devices:read", "remote:files", "remote:files_upload"}}})
                     .status,
                 201);
        const std::string id = person->get("/api/v1/auth/me").body["id"];
        QCOMPARE(m_fleet->api->post("/api/v1/users/" + id + "/grants", {{"role", "drop-box-writer"}}).status,
                 201);
        auto signedIn =
            m_fleet->server->signIn(person->get("/api/v1/auth/me").body["email"], "a long enough password 1");
        const auto rightsAt = [&](const std::optional<std::string>& root) {
            nlohmann::json body{{"kind", "files"}};
            if (root)
                body["root"] = *root;
            const auto opened = signedIn->post("/api/v1/devices/" + m_device + "/sessions", body);
            return opened.body["grants"];
        };
        const auto everywhere = rightsAt(std::nullopt);
        QCOMPARE(everywhere["root"], "/");
        QCOMPARE(everywhere["download"], true);
        QCOMPARE(everywhere["upload"], false); // the writer role's right does not reach beyond its folder
        const auto inDrop = rightsAt(drop);
        QCOMPARE(inDrop["root"], drop);
        QCOMPARE(inDrop["download"], true);
        QCOMPARE(inDrop["upload"], true);
        QCOMPARE(rightsAt(m_root)["upload"], false);
    }

    void aPushKeepsToWhatThePushersRolesAllow() {
        const std::string jail = m_root + "/push-jail";
        const std::string outside = m_root + "/push-outside";
        fs::create_directories(jail + "/conf");
        fs::create_directories(outside);
        fs::create_symlink(outside, jail + "/leads-out");
        // Browsing everywhere, uploading only inside the jail: the jail is what counts for a push.
        auto pusher =
            userWithRole({{"name", "jailed-pusher"},
                          {"files_root", jail},
                          {"permissions", {"devices:read", "remote:files", "remote:files_upload"}}});
        const std::string content = "pushed into the jail";
        const std::string sha = encoding::hexEncode(crypto::Digest::sha256(content));
        QCOMPARE(pusher->post("/api/v1/file-blobs", {{"sha256", sha}, {"size", content.size()}}).status, 201);
        QVERIFY(pusher
                    ->sendRaw("PUT", "/api/v1/file-blobs/" + sha + "/chunks/0", content,
                              "application/octet-stream")
                    .ok());
        QCOMPARE(pusher->post("/api/v1/file-blobs/" + sha + "/complete", nlohmann::json::object()).status,
                 200);
        const auto pushTo = [&](const std::string& path) {
            return pusher->post("/api/v1/file-pushes",
                                {{"sha256", sha}, {"path", path}, {"device_ids", {m_device}}});
        };
        QCOMPARE(pushTo(m_root + "/not-allowed.txt").status, 403);
        QCOMPARE(pushTo(jail + "/../escaped.txt").status, 400);
        const auto inside = pushTo(jail + "/conf/app.conf");
        QCOMPARE(inside.status, 201);
        // Allowed as text, but the folder on the way is a link out of the jail: the device does not follow
        // it.
        const auto throughLink = pushTo(jail + "/leads-out/app.conf");
        QCOMPARE(throughLink.status, 201);
        const auto finished = [&](const nlohmann::json& created) {
            nlohmann::json push;
            const bool done = QTest::qWaitFor(
                [&] {
                    push = pusher->get("/api/v1/file-pushes/" + created["id"].get<std::string>()).body;
                    return push["counts"]["pending"] == 0 && push["counts"]["running"] == 0;
                },
                30000);
            return done ? push["devices"][0] : nlohmann::json();
        };
        const auto delivered = finished(inside.body);
        QCOMPARE(delivered["state"], "done");
        QCOMPARE(delivered["verified"], true);
        QCOMPARE(readFile(jail + "/conf/app.conf"), content);
        const auto refused = finished(throughLink.body);
        QCOMPARE(refused["state"], "failed");
        QVERIFY(!fs::exists(outside + "/app.conf"));
        // A role that may upload but not browse pushes all the same (its deliveries are uploads).
        auto uploader =
            userWithRole({{"name", "upload-only"}, {"permissions", {"devices:read", "remote:files_upload"}}});
        QCOMPARE(uploader->post("/api/v1/file-blobs", {{"sha256", sha}, {"size", content.size()}}).status,
                 201);
        QVERIFY(uploader
                    ->sendRaw("PUT", "/api/v1/file-blobs/" + sha + "/chunks/0", content,
                              "application/octet-stream")
                    .ok());
        QCOMPARE(uploader->post("/api/v1/file-blobs/" + sha + "/complete", nlohmann::json::object()).status,
                 200);
        const auto byUploader = uploader->post(
            "/api/v1/file-pushes",
            {{"sha256", sha}, {"path", jail + "/conf/uploader.conf"}, {"device_ids", {m_device}}});
        QCOMPARE(byUploader.status, 201);
        nlohmann::json uploaded;
        QVERIFY(QTest::qWaitFor(
            [&] {
                uploaded =
                    uploader->get("/api/v1/file-pushes/" + byUploader.body["id"].get<std::string>()).body;
                return uploaded["counts"]["pending"] == 0 && uploaded["counts"]["running"] == 0;
            },
            30000));
        QCOMPARE(uploaded["devices"][0]["state"], "done");
        QCOMPARE(readFile(jail + "/conf/uploader.conf"), content);
        // Its maker disabled, a push waiting for an offline device is not delivered later in their name.
        m_agent->stop();
        QTRY_VERIFY_WITH_TIMEOUT(m_fleet->api->get("/api/v1/devices/" + m_device).body["status"] == "offline",
                                 30000);
        const auto waiting = pushTo(jail + "/conf/later.conf");
        QCOMPARE(waiting.status, 201);
        const std::string pusherId = pusher->get("/api/v1/auth/me").body["id"];
        QCOMPARE(m_fleet->api->patch("/api/v1/users/" + pusherId, {{"disabled", true}}).status, 200);
        m_agent->start();
        QTRY_VERIFY_WITH_TIMEOUT(m_fleet->api->get("/api/v1/devices/" + m_device).body["status"] == "online",
                                 30000);
        QTRY_VERIFY_WITH_TIMEOUT(
            m_fleet->api->get("/api/v1/file-pushes/" + waiting.body["id"].get<std::string>())
                    .body["counts"]["failed"] == 1,
            20000);
        QVERIFY(!fs::exists(jail + "/conf/later.conf"));
    }

    void malformedRequestsAreRefusedAndTheAgentCarriesOn() {
        const auto opened =
            m_fleet->api->post("/api/v1/devices/" + m_device + "/sessions", {{"kind", "files"}});
        QCOMPARE(opened.status, 201);
        net::RelayConnection relay(opened.body["relay_url"], opened.body["token"], m_tls.get(),
                                   protocol::SessionKind::Files);
        // Fields of the wrong type, an unknown request, a path that is not base64.
        for (const char* bad : {R"({"type":"list","id":"seven","path":""})",
                                R"({"type":"download","id":2,"path":"","offset":"y"})",
                                R"({"type":"delete","id":3,"path":"","recursive":"yes"})",
                                R"({"type":"fly","id":4})", R"({"type":"list","id":5,"path":"%%%"})"})
            relay.sendControl(bad);
        std::vector<nlohmann::json> errors;
        const net::RelayConnection::Handlers handlers{{}, [&](const nlohmann::json& control) {
                                                          if (control["type"] == "error")
                                                              errors.push_back(control);
                                                      }};
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (errors.size() < 5 && std::chrono::steady_clock::now() < deadline)
            QVERIFY(relay.pump(std::chrono::milliseconds(100), handlers));
        QCOMPARE(errors.size(), std::size_t(5));
        // Still the same agent, still serving.
        QVERIFY(m_agent->isRunning());
        QVERIFY(!session(*m_fleet->api)->list(m_root).empty());
    }

    void adminFilesCommandsWork() {
        QTemporaryDir home;
        const std::string key =
            m_fleet->api
                ->post("/api/v1/api-keys",
                       {{"name", "files-cli"}, {"org_id", m_fleet->org}, {"role", "org-admin"}})
                .body["key"];
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("BREEZE_ADMIN_CONFIG_DIR", home.path());
        env.insert("BREEZE_SERVER", QString::fromStdString(m_fleet->server->url()));
        env.insert("BREEZE_CA", QString::fromStdString(m_fleet->server->caFile()));
        env.insert("BREEZE_API_KEY", QString::fromStdString(key));
        const auto admin = [&](const QStringList& args) {
            return test::ProgramRun::run("breeze-admin", args, {}, env);
        };
        const QString root = QString::fromStdString(m_root);
        writeFile(m_local + "/cli.txt", "from the cli");
        QCOMPARE(admin({"files", "mkdir", "--device", "files-01", root + "/cli"}).exitCode, 0);
        const auto put = admin({"--json", "files", "put", "--device", "files-01",
                                QString::fromStdString(m_local + "/cli.txt"), root + "/cli/cli.txt"});
        QCOMPARE(put.exitCode, 0);
        QCOMPARE(put.json()["sha256"], encoding::hexEncode(crypto::Digest::sha256("from the cli")));
        const auto ls = admin({"--json", "files", "ls", "files-01", root + "/cli"});
        QCOMPARE(ls.exitCode, 0);
        QCOMPARE(ls.json()[0]["name"], "cli.txt");
        QCOMPARE(
            admin({"files", "mv", "--device", "files-01", root + "/cli/cli.txt", root + "/cli/moved.txt"})
                .exitCode,
            0);
        const QString out = QString::fromStdString(m_local + "/cli-back.txt");
        QCOMPARE(
            admin({"files", "get", "--device", "files-01", root + "/cli/moved.txt", "--out", out}).exitCode,
            0);
        QCOMPARE(readFile(out.toStdString()), std::string("from the cli"));
        const auto missing =
            admin({"files", "get", "--device", "files-01", root + "/cli/none", "--out", out});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY(missing.err.contains("not_found"));
        QCOMPARE(admin({"files", "rm", "--device", "files-01", "--recursive", root + "/cli"}).exitCode, 0);
        QVERIFY(!fs::exists(m_root + "/cli"));
        // Each command's session is ended when it is done.
        const auto cliSessions = [&](const std::string& state) {
            const auto items = m_fleet->api->get("/api/v1/sessions?kind=files&state=" + state).body["items"];
            return std::ranges::count_if(items,
                                         [](const auto& item) { return item["actor"] == "files-cli"; });
        };
        QTRY_COMPARE_WITH_TIMEOUT(cliSessions("live"), 0, 10000);
        QCOMPARE(cliSessions("closed"), 7); // one per command

        // Whole folders, up and back down: nested folders, odd names, a link left out and said.
        fs::create_directories(m_local + "/tree up/inner");
        writeFile(m_local + "/tree up/-dash.txt", "dash");
        writeFile(m_local + "/tree up/inner/deep file.bin", randomBytes(300 * 1024 + 5, 3));
        fs::create_symlink("/etc/passwd", m_local + "/tree up/link");
        const auto up = admin({"--json", "files", "put", "--device", "files-01", "--recursive",
                               QString::fromStdString(m_local + "/tree up"), root + "/tree copy"});
        QVERIFY2(up.exitCode == 0, qPrintable(up.err));
        QCOMPARE(up.json()["copied"].size(), std::size_t(2));
        QCOMPARE(up.json()["skipped"].size(), std::size_t(1));
        QCOMPARE(readFile(m_root + "/tree copy/inner/deep file.bin"),
                 readFile(m_local + "/tree up/inner/deep file.bin"));
        QVERIFY(!fs::exists(m_root + "/tree copy/link"));
        const auto down =
            admin({"--json", "files", "get", "--device", "files-01", "--recursive", root + "/tree copy",
                   "--out", QString::fromStdString(m_local + "/tree down")});
        QVERIFY2(down.exitCode == 0, qPrintable(down.err));
        QCOMPARE(down.json()["copied"].size(), std::size_t(2));
        QCOMPARE(readFile(m_local + "/tree down/-dash.txt"), std::string("dash"));
        QCOMPARE(readFile(m_local + "/tree down/inner/deep file.bin"),
                 readFile(m_local + "/tree up/inner/deep file.bin"));

        // One file to every device of the site: sent to the server once, delivered to each, verified by each
        // device's own SHA-256. Both agents of this test share this machine's disk, so the second keeps both.
        test::TestAgent::Options options;
        options.identity = "files-02";
        test::TestAgent second(*m_fleet->server, m_fleet->enrollmentKey(), options);
        second.start();
        QTRY_VERIFY_WITH_TIMEOUT(
            m_fleet->api->get("/api/v1/devices/" + second.deviceId()).body["status"] == "online", 20000);
        fs::create_directories(m_root + "/pushed");
        const std::string content = randomBytes(5 * 1024 * 1024 + 321, 7); // three chunks on the way
        writeFile(m_local + "/push.bin", content);
        const std::string sha = encoding::hexEncode(crypto::Digest::sha256(content));
        const auto push =
            admin({"--json", "files", "put", "--site", QString::fromStdString(m_fleet->site), "--conflict",
                   "keep_both", QString::fromStdString(m_local + "/push.bin"), root + "/pushed/push.bin"});
        QVERIFY2(push.exitCode == 0, qPrintable(push.err));
        const auto result = push.json();
        QCOMPARE(result["counts"]["done"], 2);
        QCOMPARE(result["devices"].size(), std::size_t(2));
        std::set<std::string> written;
        for (const auto& device : result["devices"]) {
            QCOMPARE(device["state"], "done");
            QCOMPARE(device["verified"], true);
            QCOMPARE(device["written_sha256"], sha);
            written.insert(device["written_path"].get<std::string>());
        }
        QCOMPARE(written,
                 (std::set<std::string>{m_root + "/pushed/push.bin", m_root + "/pushed/push (2).bin"}));
        for (const auto& path : written)
            QVERIFY(readFile(path) == content);
        // The server keeps the one copy: asked again, it has it whole already (a second push sends nothing to
        // it). It is the key's own: someone else asking for that hash learns nothing and starts a copy of
        // theirs.
        net::RestClient asKey(m_fleet->server->url(), m_fleet->server->caFile());
        asKey.setBearer(key);
        const auto kept = asKey.post("/api/v1/file-blobs", {{"sha256", sha}, {"size", content.size()}});
        QCOMPARE(kept.status, 200);
        QCOMPARE(kept.body["complete"], true);
        QCOMPARE(kept.body["have"].size(), std::size_t(3));
        const auto other =
            m_fleet->api->post("/api/v1/file-blobs", {{"sha256", sha}, {"size", content.size()}});
        QCOMPARE(other.status, 201);
        QCOMPARE(other.body["complete"], false);
        QVERIFY(other.body["have"].empty());
        const auto skip =
            admin({"--json", "files", "put", "--site", QString::fromStdString(m_fleet->site), "--conflict",
                   "skip", QString::fromStdString(m_local + "/push.bin"), root + "/pushed/push.bin"});
        QVERIFY2(skip.exitCode == 0, qPrintable(skip.err));
        QCOMPARE(skip.json()["counts"]["skipped"], 2);
        // Each delivery was a file session in the pusher's name, ended once done.
        QTRY_COMPARE_WITH_TIMEOUT(cliSessions("live"), 0, 10000);
        const auto closed = m_fleet->api->get("/api/v1/sessions?kind=files&state=closed").body["items"];
        QCOMPARE(std::ranges::count_if(closed,
                                       [](const auto& item) {
                                           return item["actor"] == "files-cli" &&
                                                  item["address"] == "file push" &&
                                                  item["end_reason"] == "file push delivered";
                                       }),
                 4);
        // A path outside what the pusher may write is refused before anything is queued.
        const auto refused = m_fleet->api->post(
            "/api/v1/file-pushes", {{"sha256", sha}, {"path", "relative/path"}, {"site_id", m_fleet->site}});
        QCOMPARE(refused.status, 400);
    }
};

QTEST_GUILESS_MAIN(TestFileSessions)
#include "TestFileSessions.moc"
