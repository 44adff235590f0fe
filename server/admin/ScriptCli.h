#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace breeze::admin {

class AdminCli;

// `breeze-admin scripts …`: the script library, runs and their results. With `run --wait` it follows every
// execution's output as it arrives (stdout to stdout, stderr to stderr, each line prefixed with the host name
// when several devices run) and reports each device's exit code.
class ScriptCli {
public:
    explicit ScriptCli(AdminCli& cli) : m_cli(cli) {}
    int run();

private:
    std::string resolveScript(const std::string& idOrName);
    nlohmann::json parameterDefinitions();
    nlohmann::json parameterValues();
    std::string readContent(const std::string& path);
    void addSettings(nlohmann::json& body);
    int create();
    int update();
    int show();
    int runScript();
    int follow(const nlohmann::json& started);

    AdminCli& m_cli;
};

} // namespace breeze::admin
