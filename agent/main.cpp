// breeze-agent: enrolls this machine with a Breeze server and keeps it connected (run).
#include "enrollment/Enroller.h"
#include "runtime/AgentRuntime.h"
#include "scripts/ScriptSupervisor.h"
#include "state/AgentState.h"

#include <Poco/Exception.h>
#include <Poco/Net/SSLException.h>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <pthread.h>
#include <sstream>
#include <thread>
#include <vector>

using namespace breeze::agent;

namespace {
constexpr const char* kUsage = R"(usage: breeze-agent COMMAND [options]

  enroll --server URL --key KEY [--ca FILE | --ca-sha256 FINGERPRINT] [--identity NAME] [--state-dir DIR]
         redeem an enrollment key; pins the server's CA from then on
  run [--state-dir DIR] [--max-startup-delay S] [--max-backoff S] [--max-spooled-metrics N] [--keepalive S]
      [--max-commands N] [--heartbeat-ms MS] [--terminal-users LIST] [--terminal-shells LIST]
      [--desktop-display DISPLAY [--desktop-xauthority FILE]]
         the daemon: stays connected, reports heartbeats and inventory, runs commands (systemd runs this);
         at most N commands at once (8), the rest wait; --heartbeat-ms samples that often whatever the server
         asks (tests and diagnostics); remote terminals may run as the comma-separated users of
         --terminal-users (default *: any account with a login shell) with the shells of --terminal-shells
         (default: those in /etc/shells); remote desktops show the logged-in user's X session, or the
         display of --desktop-display with the cookie in --desktop-xauthority
  status [--state-dir DIR]     what this agent is enrolled as (never the credential) and how it is doing
  supervise-script --dir DIR [--user NAME] -- PROGRAM [ARGS...]
         (internal) runs one script for the daemon and stops everything it started when it ends
  version

Without --ca or --ca-sha256 the server must have a certificate the system already trusts.
The state folder defaults to /var/lib/breeze-agent (root) or ~/.local/state/breeze-agent.
)";

std::map<std::string, std::string> parseOptions(int argc, char** argv) {
    std::map<std::string, std::string> options;
    for (int i = 2; i < argc; ++i) {
        const std::string arg = argv[i];
        if (!arg.starts_with("--") || i + 1 >= argc)
            throw std::runtime_error("unexpected argument " + arg);
        options[arg] = argv[++i];
    }
    return options;
}

std::optional<std::string> optionalValue(const std::map<std::string, std::string>& options,
                                         const std::string& name) {
    const auto it = options.find(name);
    return it == options.end() ? std::nullopt : std::optional<std::string>(it->second);
}

std::string required(const std::map<std::string, std::string>& options, const std::string& name) {
    auto value = optionalValue(options, name);
    if (!value)
        throw std::runtime_error("enroll needs " + name);
    return *value;
}

int enroll(const std::map<std::string, std::string>& options) {
    EnrollmentOptions request;
    request.serverUrl = required(options, "--server");
    request.key = required(options, "--key");
    request.caFile = optionalValue(options, "--ca");
    request.caFingerprint = optionalValue(options, "--ca-sha256");
    request.identity = optionalValue(options, "--identity");
    request.stateDirectory = optionalValue(options, "--state-dir").value_or(AgentState::defaultDirectory());
    const AgentState state = Enroller::enroll(request);
    std::cout << "enrolled as device " << state.deviceId << " (state in " << request.stateDirectory << ")"
              << (state.approval == "pending" ? "; waiting for an administrator to approve it" : "") << "\n";
    return 0;
}

// What a running agent last wrote about itself (connection, spool), or null.
nlohmann::json runtimeStatus(const std::string& directory) {
    std::ifstream in(std::filesystem::path(directory) / "status.json");
    const auto doc = nlohmann::json::parse(in, nullptr, false);
    return doc.is_discarded() ? nlohmann::json(nullptr) : doc;
}

int integerOption(const std::map<std::string, std::string>& options, const std::string& name, int fallback,
                  int min, int max) {
    const auto value = optionalValue(options, name);
    if (!value)
        return fallback;
    try {
        const int number = std::stoi(*value);
        if (number < min || number > max)
            throw std::out_of_range(name);
        return number;
    } catch (const std::exception&) {
        throw std::runtime_error(name + " must be a whole number from " + std::to_string(min) + " to " +
                                 std::to_string(max));
    }
}

int run(const std::map<std::string, std::string>& options) {
    RuntimeOptions runtime;
    runtime.stateDirectory = optionalValue(options, "--state-dir").value_or(AgentState::defaultDirectory());
    runtime.maxStartupDelaySeconds = integerOption(options, "--max-startup-delay", 30, 0, 3600);
    runtime.maxBackoffSeconds = integerOption(options, "--max-backoff", 60, 1, 3600);
    runtime.maxSpooledMetrics = integerOption(options, "--max-spooled-metrics", 10'080, 1, 10'000'000);
    runtime.keepaliveSeconds = integerOption(options, "--keepalive", 30, 1, 3600);
    runtime.maxConcurrentCommands = integerOption(options, "--max-commands", 8, 1, 256);
    runtime.heartbeatMs = integerOption(options, "--heartbeat-ms", 0, 0, 3'600'000);
    const auto list = [](const std::string& text) {
        std::vector<std::string> items;
        std::stringstream stream(text);
        for (std::string item; std::getline(stream, item, ',');)
            if (!item.empty())
                items.push_back(item);
        return items;
    };
    if (const auto users = optionalValue(options, "--terminal-users"))
        runtime.terminal.users = list(*users);
    if (const auto shells = optionalValue(options, "--terminal-shells"))
        runtime.terminal.shells = list(*shells);
    runtime.desktop.display = optionalValue(options, "--desktop-display").value_or("");
    runtime.desktop.authorityFile = optionalValue(options, "--desktop-xauthority").value_or("");
    if (const char* power = std::getenv("BREEZE_AGENT_POWER_COMMAND"); power && *power)
        runtime.powerCommand = power;
    auto state = AgentState::load(runtime.stateDirectory);
    if (!state) {
        std::cerr << "breeze-agent: not enrolled (no state in " << runtime.stateDirectory
                  << "); run breeze-agent enroll first\n";
        return 3;
    }
    // Signals are taken by one thread, which asks the runtime to stop.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGUSR2); // internal: ends the waiter when the runtime ends first
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    AgentRuntime agent(std::move(*state), runtime);
    std::thread waiter([&] {
        int received = 0;
        sigwait(&signals, &received);
        if (received != SIGUSR2)
            std::cerr << "breeze-agent: stopping (signal " << received << ")" << std::endl;
        agent.stop();
    });
    agent.run();
    // The waiter may still be in sigwait when the runtime ended on its own: wake it.
    pthread_kill(waiter.native_handle(), SIGUSR2);
    waiter.join();
    return 0;
}

int status(const std::map<std::string, std::string>& options) {
    const std::string directory =
        optionalValue(options, "--state-dir").value_or(AgentState::defaultDirectory());
    const auto state = AgentState::load(directory);
    if (!state) {
        std::cerr << "breeze-agent: not enrolled (no state in " << directory << ")\n";
        return 3;
    }
    std::cout << nlohmann::json{{"server_url", state->serverUrl},
                                {"device_id", state->deviceId},
                                {"org_id", state->orgId},
                                {"site_id", state->siteId},
                                {"identity", state->identity},
                                {"approval", state->approval},
                                {"pinned_ca", !state->pinnedCaPem.empty()},
                                {"gateway_port", state->gatewayPort},
                                {"runtime", runtimeStatus(directory)}}
                     .dump(2)
              << "\n";
    return 0;
}
} // namespace

SupervisedScript supervisedScript(int argc, char** argv) {
    SupervisedScript script;
    int i = 2;
    for (; i < argc && std::string(argv[i]) != "--"; i += 2) {
        if (i + 1 >= argc)
            throw std::runtime_error(std::string("supervise-script: ") + argv[i] + " needs a value");
        const std::string option = argv[i];
        if (option == "--dir")
            script.directory = argv[i + 1];
        else if (option == "--user")
            script.user = argv[i + 1];
        else
            throw std::runtime_error("supervise-script: unexpected argument " + option);
    }
    for (++i; i < argc; ++i)
        script.argv.emplace_back(argv[i]);
    if (script.directory.empty() || script.argv.empty())
        throw std::runtime_error("supervise-script needs --dir and a program after --");
    return script;
}

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << kUsage;
        return 2;
    }
    const std::string command = argv[1];
    try {
        if (command == "enroll")
            return enroll(parseOptions(argc, argv));
        if (command == "run")
            return run(parseOptions(argc, argv));
        if (command == "status")
            return status(parseOptions(argc, argv));
        if (command == "supervise-script")
            return superviseScript(supervisedScript(argc, argv));
        if (command == "version") {
            std::cout << "breeze-agent " << BREEZE_AGENT_VERSION << "\n";
            return 0;
        }
        if (command == "help" || command == "--help") {
            std::cout << kUsage;
            return 0;
        }
        std::cerr << "unknown command " << command << "\n" << kUsage;
        return 2;
    } catch (const Poco::Net::SSLException& error) {
        std::cerr << "breeze-agent: cannot verify the server's certificate (" << error.displayText()
                  << "); pass --ca FILE or --ca-sha256 FINGERPRINT\n";
    } catch (const Poco::Exception& error) {
        std::cerr << "breeze-agent: " << error.displayText() << "\n";
    } catch (const std::exception& error) {
        std::cerr << "breeze-agent: " << error.what() << "\n";
    }
    return 1;
}
