// bench-rest: REST throughput and latency of a real server on a private PostgreSQL.
// Usage: bench-rest [--clients N] [--requests N] [--postgres fast|durable]. Prints one JSON object as its
// last line. Every request sent is counted: one that fails or throws is a failure, and its time is in the
// latencies.
#include "BenchArguments.h"
#include "BenchFigures.h"
#include "TestPostgres.h"
#include "TestServer.h"

#include <QCoreApplication>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

using namespace breeze;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    const int clients = test::intArgument(argc, argv, "--clients", 8);
    const int requests = test::intArgument(argc, argv, "--requests", 2000);

    test::TestPostgres postgres(test::durabilityArgument(argc, argv));
    test::TestServer server(postgres, "bench_rest", {{"database.pool_size", "16"}});
    const auto admin = server.bootstrap("bench@bench.test", "Bench MSP", false);
    auto api = server.signIn(admin.email, admin.password, admin.totpSecret);
    const std::string token = server.lastLogin()["access_token"];
    for (int i = 0; i < 50; ++i)
        api->post("/api/v1/orgs", {{"name", "Bench org " + std::to_string(i)}});

    // Sign-in cost: dominated by Argon2id on purpose.
    std::vector<double> loginMs;
    for (int i = 0; i < 5; ++i) {
        auto anonymous = server.client();
        const auto start = Clock::now();
        anonymous->post("/api/v1/auth/login", {{"email", admin.email}, {"password", "wrong password"}});
        loginMs.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    }

    std::vector<std::vector<double>> latencies(static_cast<std::size_t>(clients));
    std::atomic<long> failures{0};
    const auto started = Clock::now();
    std::vector<std::thread> threads;
    threads.reserve(static_cast<std::size_t>(clients));
    for (int c = 0; c < clients; ++c) {
        threads.emplace_back([&, c] {
            auto& mine = latencies[static_cast<std::size_t>(c)];
            test::timedGets(
                server, token, "/api/v1/orgs?limit=50",
                [&] { return mine.size() < static_cast<std::size_t>(requests / clients); }, mine, failures);
        });
    }
    for (auto& thread : threads)
        thread.join();
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    std::vector<double> all;
    for (const auto& list : latencies)
        all.insert(all.end(), list.begin(), list.end());

    const nlohmann::json result = {{"benchmark", "rest"},
                                   {"postgres", postgres.durabilityLabel()},
                                   {"clients", clients},
                                   {"requests", all.size()},
                                   {"failures", failures.load()},
                                   {"list_orgs_per_s", static_cast<double>(all.size()) / seconds},
                                   {"p50_ms", test::percentile(all, 0.50)},
                                   {"p99_ms", test::percentile(all, 0.99)},
                                   {"failed_login_p50_ms", test::percentile(loginMs, 0.50)}};
    std::cout << result.dump() << std::endl;
    return failures.load() == 0 ? 0 : 1;
}
