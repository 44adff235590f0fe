// bench-script-fanout: one script run on a whole site of simulated agents against a real server on a private
// PostgreSQL. Each agent answers its run_script command as a real one does (running, a chunk of stdout,
// the final result); the clock runs from the REST call that starts the run until every result is stored.
// Usage: bench-script-fanout [--devices N] [--output-bytes B]. Prints one JSON object as its last line.
#include "AgentSwarm.h"
#include "BenchArguments.h"
#include "TestPostgres.h"
#include "TestServer.h"
#include "protocol/ScriptRequest.h"

#include <QCoreApplication>
#include <cmath>
#include <iostream>
#include <thread>

using namespace breeze;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    const int devices = test::intArgument(argc, argv, "--devices", 1000);
    const int outputBytes = std::clamp(test::intArgument(argc, argv, "--output-bytes", 200), 1, 65536);
    test::AgentSwarm::raiseFileLimit(devices);

    test::TestPostgres postgres(test::durabilityArgument(argc, argv));
    test::TestServer server(postgres, "bench_fanout",
                            {{"agents.heartbeat_seconds", "60"},
                             {"database.pool_size", "24"},
                             {"gateway.workers", "4"},
                             {"log.level", "warning"}});
    const auto admin = server.bootstrap("bench@fanout.test", "Fan-out MSP", false);
    auto api = server.signIn(admin.email, admin.password, admin.totpSecret);
    const std::string org = api->post("/api/v1/orgs", {{"name", "Fleet"}}).body["id"];
    const std::string site = api->post("/api/v1/sites", {{"org_id", org}, {"name", "Everything"}}).body["id"];

    // What a real agent sends for a short script: running, its output, the result.
    const std::string printed(static_cast<std::size_t>(outputBytes), 'x');
    test::AgentSwarm::Options options;
    options.count = devices;
    options.heartbeatSeconds = 60;
    options.capabilities = {"script.bash", "script.sh"};
    options.responder = [&printed](const protocol::CommandRequest& request,
                                   const std::function<std::string()>& next) {
        const auto script = protocol::ScriptRequest::fromArgs(request.args);
        protocol::CommandUpdate running{
            request.commandId, protocol::kCommandRunning, {}, nlohmann::json::object(), {}};
        protocol::CommandOutput output{request.commandId, "stdout", 0, printed};
        protocol::CommandUpdate done{request.commandId,
                                     protocol::kCommandCompleted,
                                     0,
                                     {{"stdout_bytes", printed.size()},
                                      {"stdout_total_bytes", printed.size()},
                                      {"stdout_truncated", false},
                                      {"stderr_bytes", 0},
                                      {"stderr_total_bytes", 0},
                                      {"stderr_truncated", false},
                                      {"interpreter", "/usr/bin/" + script.language}},
                                     {}};
        return std::vector<std::string>{protocol::encodeEnvelope(running.encode(next())),
                                        protocol::encodeEnvelope(output.encode(next())),
                                        protocol::encodeEnvelope(done.encode(next()))};
    };
    test::AgentSwarm swarm(postgres, "bench_fanout", server, admin.partnerId, org, site, options);
    const double connectSeconds = swarm.connect();
    // Every hello stored (the capabilities the run checks) before the clock starts.
    for (int i = 0; i < 600; ++i) {
        if (postgres.superuserSql("bench_fanout", "SELECT count(*) FROM devices WHERE status = 'online'")
                .toInt() >= swarm.connected())
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    const std::string script =
        api->post("/api/v1/scripts", {{"name", "Uptime"},
                                      {"language", "bash"},
                                      {"content", "uptime\n"},
                                      {"parameters", {{{"name", "LABEL"}, {"type", "string"}}}}})
            .body["id"];

    const auto started = Clock::now();
    const auto run = api->post("/api/v1/scripts/" + script + "/runs",
                               {{"site_id", site}, {"parameters", {{"LABEL", "fan-out; $(not run)"}}}});
    const double queuedSeconds = std::chrono::duration<double>(Clock::now() - started).count();
    if (run.status != 201) {
        std::cerr << "the run was refused: " << run.raw << "\n";
        return 1;
    }
    const std::string runId = run.body["run"]["id"];
    const QString countSql = QString::fromStdString(
        "SELECT count(*) FILTER (WHERE status = 'completed'), count(*) FILTER (WHERE status "
        "IN ('pending', 'sent', 'running')), (SELECT count(*) FROM command_output o JOIN "
        "device_commands d ON d.id = o.command_id WHERE d.run_id = '" +
        runId + "') FROM device_commands WHERE run_id = '" + runId + "'");
    long completed = 0;
    long open = 0;
    long outputs = 0;
    while (std::chrono::duration<double>(Clock::now() - started).count() < 120) {
        const auto parts = postgres.superuserSql("bench_fanout", countSql).trimmed().split('|');
        completed = parts[0].toLong();
        open = parts[1].toLong();
        outputs = parts[2].toLong();
        if (open == 0 && outputs >= completed)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    const nlohmann::json result{
        {"postgres", postgres.durabilityLabel()},
        {"devices", devices},
        {"connected", swarm.connected()},
        {"connect_seconds", std::round(connectSeconds * 10) / 10},
        {"executions", run.body["executions"].size()},
        {"refused", run.body["refused"].size()},
        {"queue_seconds", std::round(queuedSeconds * 1000) / 1000},
        {"completed", completed},
        {"outputs_stored", outputs},
        {"still_open", open},
        {"seconds", std::round(seconds * 1000) / 1000},
    };
    std::cout << result.dump() << std::endl;
    return completed == devices ? 0 : 1;
}
