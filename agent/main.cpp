// breeze-agent: enrolls this machine with a Breeze server (and, next, keeps it connected).
#include "enrollment/Enroller.h"
#include "state/AgentState.h"

#include <Poco/Exception.h>
#include <Poco/Net/SSLException.h>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

using namespace breeze::agent;

namespace {
constexpr const char* kUsage = R"(usage: breeze-agent COMMAND [options]

  enroll --server URL --key KEY [--ca FILE | --ca-sha256 FINGERPRINT] [--identity NAME] [--state-dir DIR]
         redeem an enrollment key; pins the server's CA from then on
  status [--state-dir DIR]     what this agent is enrolled as (never the credential)
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
                                {"pinned_ca", !state->pinnedCaPem.empty()}}
                     .dump(2)
              << "\n";
    return 0;
}
} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << kUsage;
        return 2;
    }
    const std::string command = argv[1];
    try {
        if (command == "enroll")
            return enroll(parseOptions(argc, argv));
        if (command == "status")
            return status(parseOptions(argc, argv));
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
