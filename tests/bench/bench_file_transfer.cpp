// bench-file-transfer: one file up to the real agent and back down, through the server's relay over loopback
// TLS, with the client breeze-admin uses (every 256 KiB chunk checked by SHA-256 on arrival, the whole file
// read back and checked at the end, on both sides). The clock runs from the first request to the verified
// end. Usage: bench-file-transfer [--size-mb 1024]. Prints one JSON object as its last line.
#include "BenchArguments.h"
#include "BenchFigures.h"
#include "TestAgent.h"
#include "TestFleet.h"
#include "crypto/Sha256Stream.h"
#include "encoding/Hex.h"
#include "net/FileSessionClient.h"
#include "net/TlsConnection.h"

#include <QCoreApplication>
#include <QTemporaryDir>
#include <QtTest>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>
#include <unistd.h>

using namespace breeze;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    const int sizeMb = std::clamp(test::intArgument(argc, argv, "--size-mb", 1024), 1, 64 * 1024);
    const std::uint64_t size = static_cast<std::uint64_t>(sizeMb) * 1024 * 1024;
    QTemporaryDir dir(QDir::tempPath() + "/breeze-bench-files-XXXXXX");
    const std::string source = dir.filePath("source.bin").toStdString();
    {
        // Random bytes (nothing compresses or dedupes them), written once before the clock starts.
        std::ofstream out(source, std::ios::binary);
        std::mt19937_64 random(42);
        std::vector<std::uint64_t> block(1 << 17);
        for (std::uint64_t written = 0; written < size; written += block.size() * 8) {
            for (auto& word : block)
                word = random();
            out.write(
                reinterpret_cast<const char*>(block.data()),
                static_cast<std::streamsize>(std::min<std::uint64_t>(block.size() * 8, size - written)));
        }
    }
    // On the disk before the clock starts: a gigabyte still dirty in the page cache makes the kernel throttle
    // every later writer (here, measured: 4.8 GB/s into a clean page cache, 0.43 GB/s with 1 GiB dirty),
    // which would measure the disk's write-back of the setup, not the transfer.
    ::sync();
    test::TestPostgres postgres(test::durabilityArgument(argc, argv));
    test::TestFleet fleet(postgres, "bench_files", "bench@files.test", "Bench MSP", "Fleet", "HQ",
                          {{"log.level", "warning"}});
    test::TestAgent::Options options;
    options.identity = "bench-files-01";
    test::TestAgent agent(*fleet.server, fleet.enrollmentKey(), options);
    agent.start();
    if (!QTest::qWaitFor(
            [&] { return fleet.api->get("/api/v1/devices/" + agent.deviceId()).body["status"] == "online"; },
            30000)) {
        std::cerr << "the agent did not come online\n";
        return 1;
    }
    const auto tls = net::makeClientSslContext(fleet.server->caFile());
    const auto opened =
        fleet.api->post("/api/v1/devices/" + agent.deviceId() + "/sessions", {{"kind", "files"}});
    if (opened.status != 201) {
        std::cerr << opened.raw << "\n";
        return 1;
    }
    net::FileSessionClient files(std::make_unique<net::RelayConnection>(
        opened.body["relay_url"], opened.body["token"], tls.get(), protocol::SessionKind::Files));
    // A terminal on the same device while the transfers run: its keystrokes share the agent's connection with
    // the file chunks, and the priority lane should keep them quick (echo timed from sending to arrival).
    const auto shell = fleet.api->post("/api/v1/devices/" + agent.deviceId() + "/sessions",
                                       {{"kind", "terminal"}, {"command", "stty raw -echo; exec cat"}});
    net::RelayConnection terminal(shell.body["relay_url"], shell.body["token"], tls.get(),
                                  protocol::SessionKind::Terminal);
    std::atomic<bool> transferring{true};
    std::vector<double> echoes;
    std::atomic<int> phase{0}; // 0 upload, 1 download
    std::vector<double> echoesDown;
    long echoFailures = 0;
    std::thread typist([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(500)); // cat is running
        std::string received;
        const net::RelayConnection::Handlers handlers{
            [&](protocol::StreamKind, std::string_view data) { received.append(data); }, {}};
        while (transferring) {
            received.clear();
            const auto started = Clock::now();
            terminal.send(protocol::StreamKind::TerminalData, "k");
            while (received.find('k') == std::string::npos &&
                   Clock::now() - started < std::chrono::seconds(2))
                terminal.pump(std::chrono::milliseconds(1), handlers);
            if (received.find('k') == std::string::npos)
                ++echoFailures;
            const double took = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
            (phase == 0 ? echoes : echoesDown).push_back(took);
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    });
    const std::string remote = dir.filePath("on-device.bin").toStdString();
    const std::string back = dir.filePath("back.bin").toStdString();
    long failures = 0;
    double upSeconds = 0, downSeconds = 0;
    std::string upSha, downSha;
    try {
        auto started = Clock::now();
        upSha = files.upload(source, remote, "replace").value("sha256", std::string());
        upSeconds = std::chrono::duration<double>(Clock::now() - started).count();
        phase = 1;
        // Each direction on its own: the upload's file written back first (as a download would find a machine
        // that had not just received a gigabyte), outside both clocks.
        ::sync();
        started = Clock::now();
        downSha = files.download(remote, back);
        downSeconds = std::chrono::duration<double>(Clock::now() - started).count();
    } catch (const std::exception& error) {
        ++failures;
        std::cerr << "transfer failed: " << error.what() << "\n";
    }
    transferring = false;
    typist.join();
    // After the clocks, on this side: the file that came back is the one that went, byte for byte (its
    // SHA-256 read from the disk against the source's), not only what the device said of both.
    const auto hashOf = [](const std::string& path) {
        std::ifstream in(path, std::ios::binary);
        crypto::Sha256Stream hash;
        std::string block(std::size_t{1} << 20, '\0');
        while (in.read(block.data(), static_cast<std::streamsize>(block.size())) || in.gcount() > 0)
            hash.update(std::string_view(block.data(), static_cast<std::size_t>(in.gcount())));
        return encoding::hexEncode(hash.finish());
    };
    const bool same = failures == 0 && upSha == downSha && std::filesystem::file_size(back) == size &&
                      hashOf(back) == upSha && hashOf(source) == upSha;
    const double megabytes = static_cast<double>(size) / 1e6;
    const nlohmann::json figures{
        {"benchmark", "file-transfer"},
        {"size_mb", sizeMb},
        {"failures", failures},
        {"verified", same},
        {"upload_mb_per_s", upSeconds > 0 ? megabytes / upSeconds : 0},
        {"download_mb_per_s", downSeconds > 0 ? megabytes / downSeconds : 0},
        {"echo_during_upload",
         {{"keys", echoes.size()},
          {"p50_ms", test::percentile(echoes, 0.5)},
          {"p99_ms", test::percentile(echoes, 0.99)}}},
        {"echo_during_download",
         {{"keys", echoesDown.size()},
          {"p50_ms", test::percentile(echoesDown, 0.5)},
          {"p99_ms", test::percentile(echoesDown, 0.99)}}},
        {"echo_failures", echoFailures},
        {"mb_per_s",
         upSeconds > 0 && downSeconds > 0 ? std::min(megabytes / upSeconds, megabytes / downSeconds) : 0},
        {"postgres", postgres.durabilityLabel()},
#ifdef NDEBUG
        {"build", "release"},
#else
        {"build", "debug (sanitizers when the test build)"},
#endif
        {"conditions",
         "one file up then down; client, server and agent on this machine over loopback TLS; "
         "SHA-256 of every chunk and of the whole file on both sides; the agent writes and reads its "
         "own disk (the same one); the page cache is written back (sync) before each direction, outside the "
         "clock; "
         "mb_per_s is the slower direction (MB = 10^6 bytes)"}};
    std::cout << figures.dump() << std::endl;
    return same && echoFailures == 0 ? 0 : 1;
}
