#include "cli/CliContext.h"
#include "cli/Noun.h"
#include "encoding/Base64.h"
#include "encoding/Utf8.h"

#include <chrono>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

namespace breeze::admin {

namespace {
std::vector<std::string> split(const std::string& text, char separator) {
    std::vector<std::string> parts;
    std::string part;
    std::istringstream in(text);
    while (std::getline(in, part, separator))
        parts.push_back(part);
    return parts;
}

// One execution being followed: where its streams are up to, and the unfinished last line of each (output
// of several devices is written a whole line at a time, prefixed with the host name).
struct Followed {
    std::string id;
    std::string hostname;
    long long stdoutOffset = 0;
    long long stderrOffset = 0;
    std::string stdoutLine;
    std::string stderrLine;
    bool done = false;
    std::string status;
};

void emit(std::ostream& out, const std::string& prefix, std::string& pending, const std::string& bytes,
          bool flushAll) {
    if (prefix.empty()) {
        out << bytes;
        out.flush();
        return;
    }
    pending += bytes;
    std::size_t start = 0;
    for (auto newline = pending.find('\n'); newline != std::string::npos;
         newline = pending.find('\n', start)) {
        out << prefix << pending.substr(start, newline - start + 1);
        start = newline + 1;
    }
    pending.erase(0, start);
    if (flushAll && !pending.empty()) {
        out << prefix << pending << "\n";
        pending.clear();
    }
    out.flush();
}

// `breeze-admin scripts …`: the script library, runs and their results. With `run --wait` it follows every
// execution's output as it arrives (stdout to stdout, stderr to stderr, each line prefixed with the host name
// when several devices run) and reports each device's exit code.
class ScriptCli {
public:
    explicit ScriptCli(CliContext& cli) : m_cli(cli) {}
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

    CliContext& m_cli;
};
} // namespace

int ScriptCli::run() {
    const std::string action = m_cli.positional(
        1,
        "scripts action (list, show, create, update, versions, restore, delete, run, executions, execution, "
        "cancel)");
    if (action == "list") {
        std::string query = m_cli.filterQuery();
        for (const auto& [option, param] : std::vector<std::pair<std::string, std::string>>{
                 {"--category", "category"}, {"--language", "language"}})
            if (m_cli.has(option))
                query += (query.empty() ? "?" : "&") + param + "=" + urlEncode(m_cli.option(option));
        m_cli.printItems(
            m_cli.listAll("/api/v1/scripts" + query),
            {"id", "name", "language", "version", "org=org_id", "category", "timeout=timeout_seconds"});
        return 0;
    }
    if (action == "show")
        return show();
    if (action == "create")
        return create();
    if (action == "update")
        return update();
    if (action == "versions") {
        const std::string id = resolveScript(m_cli.positional(2, "script"));
        m_cli.printItems(m_cli.call("GET", "/api/v1/scripts/" + id + "/versions").body["items"],
                         {"version", "language", "bytes=content_bytes", "timeout=timeout_seconds",
                          "by=created_by", "at=created_at", "note"});
        return 0;
    }
    if (action == "restore") {
        const std::string id = resolveScript(m_cli.positional(2, "script"));
        const std::string version = std::to_string(parseCount(m_cli.positional(3, "version to restore")));
        auto script = m_cli
                          .call("POST", "/api/v1/scripts/" + id + "/versions/" + version + "/restore",
                                nlohmann::json::object())
                          .body;
        script.erase("content");
        m_cli.printObject(script);
        return 0;
    }
    if (action == "delete") {
        m_cli.call("DELETE", "/api/v1/scripts/" + resolveScript(m_cli.positional(2, "script")));
        return 0;
    }
    if (action == "run")
        return runScript();
    if (action == "executions") {
        std::string query = "?limit=" + std::to_string(parseCount(m_cli.option("--limit", "50")));
        if (m_cli.has("--device"))
            query += "&device=" + m_cli.resolveDevice(m_cli.option("--device"));
        if (m_cli.has("--script"))
            query += "&script=" + resolveScript(m_cli.option("--script"));
        if (m_cli.has("--run"))
            query += "&run=" + urlEncode(m_cli.option("--run"));
        if (m_cli.has("--status"))
            query += "&status=" + urlEncode(m_cli.option("--status"));
        m_cli.printItems(m_cli.call("GET", "/api/v1/script-executions" + query).body["items"],
                         {"id", "script=script_name", "version", "device=hostname", "status",
                          "exit=exit_code", "by=requested_by", "at=created_at"});
        return 0;
    }
    if (action == "execution") {
        m_cli.printObject(
            m_cli.call("GET", "/api/v1/script-executions/" + m_cli.positional(2, "execution id")).body);
        return 0;
    }
    if (action == "cancel") {
        m_cli.printObject(m_cli
                              .call("POST",
                                    "/api/v1/script-runs/" + m_cli.positional(2, "run id") + "/cancel",
                                    nlohmann::json::object())
                              .body);
        return 0;
    }
    throw CliFailure("unknown scripts action " + action);
}

std::string ScriptCli::resolveScript(const std::string& idOrName) {
    return m_cli.resolveNamed("script", "scripts", idOrName, m_cli.option("--org"));
}

std::string ScriptCli::readContent(const std::string& path) {
    std::ostringstream text;
    if (path == "-") {
        text << m_cli.in().rdbuf();
    } else {
        std::ifstream in(path, std::ios::binary);
        if (!in)
            throw CliFailure("cannot read " + path);
        text << in.rdbuf();
    }
    if (!encoding::isValidUtf8(text.str()))
        throw CliFailure(path + " is not UTF-8 text; scripts are stored as text");
    return text.str();
}

// --param NAME:TYPE[:required][:default=VALUE][:choices=A|B|C][:label=TEXT]
nlohmann::json ScriptCli::parameterDefinitions() {
    nlohmann::json definitions = nlohmann::json::array();
    for (const auto& spec : m_cli.every("--param")) {
        const auto parts = split(spec, ':');
        if (parts.size() < 2 || parts[0].empty() || parts[1].empty())
            throw CliFailure("--param takes NAME:TYPE[:required][:default=VALUE][:choices=A|B] (got \"" +
                             spec + "\")");
        nlohmann::json item{{"name", parts[0]}, {"type", parts[1]}};
        for (std::size_t i = 2; i < parts.size(); ++i) {
            const std::string& option = parts[i];
            if (option == "required")
                item["required"] = true;
            else if (option.starts_with("default="))
                item["default"] = option.substr(8);
            else if (option.starts_with("choices="))
                item["choices"] = split(option.substr(8), '|');
            else if (option.starts_with("label="))
                item["label"] = option.substr(6);
            else
                throw CliFailure("unknown --param option \"" + option +
                                 "\" (required, default=VALUE, choices=A|B, label=TEXT)");
        }
        definitions.push_back(std::move(item));
    }
    return definitions;
}

// --param NAME=VALUE: always text; the server checks each value against the parameter's type.
nlohmann::json ScriptCli::parameterValues() {
    nlohmann::json values = nlohmann::json::object();
    for (const auto& [name, value] : m_cli.pairs("--param"))
        values[name] = value;
    return values;
}

// The options create and update share: settings of the version and of the script.
void ScriptCli::addSettings(nlohmann::json& body) {
    if (m_cli.has("--timeout"))
        body["timeout_seconds"] = parseDuration(m_cli.option("--timeout"));
    if (m_cli.has("--os"))
        body["os"] = split(m_cli.option("--os"), ',');
    for (const auto& [option, key] :
         std::vector<std::pair<std::string, std::string>>{{"--run-as", "run_as"},
                                                          {"--category", "category"},
                                                          {"--description", "description"},
                                                          {"--note", "note"},
                                                          {"--name", "name"},
                                                          {"--language", "language"}})
        if (m_cli.has(option))
            body[key] = m_cli.option(option);
}

int ScriptCli::create() {
    nlohmann::json body{{"name", m_cli.requireOption("--name")},
                        {"language", m_cli.requireOption("--language")},
                        {"content", readContent(m_cli.requireOption("--file"))},
                        {"parameters", parameterDefinitions()}};
    if (m_cli.has("--org"))
        body["org_id"] = m_cli.resolveOrg(m_cli.option("--org"));
    addSettings(body);
    auto script = m_cli.call("POST", "/api/v1/scripts", body).body;
    script.erase("content");
    m_cli.printObject(script);
    return 0;
}

int ScriptCli::update() {
    const std::string id = resolveScript(m_cli.positional(2, "script"));
    nlohmann::json body = nlohmann::json::object();
    if (m_cli.has("--file"))
        body["content"] = readContent(m_cli.option("--file"));
    if (!m_cli.every("--param").empty())
        body["parameters"] = parameterDefinitions();
    addSettings(body);
    if (body.empty())
        throw CliFailure("update needs something to change, such as --file F");
    auto script = m_cli.call("PATCH", "/api/v1/scripts/" + id, body).body;
    script.erase("content");
    m_cli.printObject(script);
    return 0;
}

int ScriptCli::show() {
    const std::string id = resolveScript(m_cli.positional(2, "script"));
    nlohmann::json script = m_cli.call("GET", "/api/v1/scripts/" + id).body;
    if (m_cli.has("--version")) {
        const auto version = m_cli
                                 .call("GET", "/api/v1/scripts/" + id + "/versions/" +
                                                  std::to_string(parseCount(m_cli.option("--version"))))
                                 .body;
        for (const auto& [key, value] : version.items())
            script[key] = value;
    }
    if (m_cli.flag("--json")) {
        m_cli.out() << script.dump(2) << "\n";
        return 0;
    }
    const std::string content = script["content"];
    script.erase("content");
    m_cli.printObject(script);
    m_cli.out() << "---\n" << content << (content.ends_with('\n') || content.empty() ? "" : "\n");
    return 0;
}

int ScriptCli::runScript() {
    const std::string id = resolveScript(m_cli.positional(2, "script"));
    nlohmann::json body{{"parameters", parameterValues()}};
    if (const auto ids = m_cli.resolveDevices(); !ids.empty()) {
        body["device_ids"] = ids;
    } else if (m_cli.has("--site")) {
        body["site_id"] = m_cli.resolveSite(m_cli.option("--site"), m_cli.option("--org"));
    } else if (m_cli.has("--group")) {
        body["group_id"] = m_cli.resolveGroup(m_cli.option("--group"), m_cli.option("--org"));
    } else {
        throw CliFailure("run needs --device D (repeatable), --site S or --group G");
    }
    if (m_cli.has("--version"))
        body["version"] = parseCount(m_cli.option("--version"));
    if (m_cli.has("--timeout"))
        body["timeout_seconds"] = parseDuration(m_cli.option("--timeout"));
    const nlohmann::json started = m_cli.call("POST", "/api/v1/scripts/" + id + "/runs", body).body;
    for (const auto& refused : started["refused"])
        m_cli.err() << refused["hostname"].get<std::string>()
                    << ": not run: " << refused["reason"].get<std::string>() << "\n";
    if (m_cli.flag("--wait"))
        return follow(started);
    if (m_cli.flag("--json")) {
        m_cli.out() << started.dump(2) << "\n";
        return 0;
    }
    m_cli.out() << "run " << started["run"]["id"].get<std::string>() << "\n";
    m_cli.printItems(started["executions"], {"id", "device=hostname", "status"});
    return 0;
}

int ScriptCli::follow(const nlohmann::json& started) {
    std::vector<Followed> executions;
    for (const auto& execution : started["executions"]) {
        Followed followed;
        followed.id = execution["id"];
        followed.hostname = execution["hostname"];
        executions.push_back(std::move(followed));
    }
    const bool json = m_cli.flag("--json");
    const bool prefixed = executions.size() > 1;
    const auto waitLimit = std::chrono::seconds(parseDuration(m_cli.option("--wait-timeout", "86400")));
    const auto begun = std::chrono::steady_clock::now();
    std::size_t open = executions.size();
    while (open > 0) {
        if (std::chrono::steady_clock::now() - begun > waitLimit)
            throw CliFailure(std::to_string(open) +
                             " executions still open after the wait timeout; see "
                             "`breeze-admin scripts executions --run " +
                             started["run"]["id"].get<std::string>() + "`");
        bool progressed = false;
        for (auto& execution : executions) {
            if (execution.done)
                continue;
            const auto output =
                m_cli
                    .call("GET", "/api/v1/commands/" + execution.id +
                                     "/output?stdout_offset=" + std::to_string(execution.stdoutOffset) +
                                     "&stderr_offset=" + std::to_string(execution.stderrOffset))
                    .body;
            const std::string prefix = prefixed ? execution.hostname + ": " : "";
            const bool complete = output["complete"].get<bool>();
            for (const auto& [name, offset, line] :
                 {std::tuple<std::string, long long*, std::string*>{"stdout", &execution.stdoutOffset,
                                                                    &execution.stdoutLine},
                  {"stderr", &execution.stderrOffset, &execution.stderrLine}}) {
                const auto bytes = encoding::base64Decode(output[name].get<std::string>()).value_or("");
                *offset = output[name + "_offset"].get<long long>();
                progressed = progressed || !bytes.empty();
                if (!json)
                    emit(name == "stdout" ? m_cli.out() : m_cli.err(), prefix, *line, bytes, complete);
            }
            if (!complete)
                continue;
            execution.done = true;
            execution.status = output["status"];
            --open;
            if (json)
                continue;
            for (const auto& name : {"stdout", "stderr"})
                if (output[std::string(name) + "_truncated"].get<bool>())
                    m_cli.err() << execution.hostname << ": [" << name
                                << " truncated: only the first MiB was kept]\n";
            m_cli.err() << execution.hostname << ": " << execution.status;
            if (!output["exit_code"].is_null())
                m_cli.err() << " (exit code " << output["exit_code"].dump() << ")";
            if (execution.status != "completed" && !output["error"].get<std::string>().empty())
                m_cli.err() << ": " << output["error"].get<std::string>();
            m_cli.err() << "\n";
        }
        if (open > 0 && !progressed)
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    bool allCompleted = started["refused"].empty();
    nlohmann::json results = nlohmann::json::array();
    for (const auto& execution : executions) {
        allCompleted = allCompleted && execution.status == "completed";
        if (json)
            results.push_back(m_cli.call("GET", "/api/v1/script-executions/" + execution.id).body);
    }
    if (json)
        m_cli.out() << nlohmann::json{{"run", started["run"]},
                                      {"results", results},
                                      {"refused", started["refused"]}}
                           .dump(2)
                    << "\n";
    return allCompleted ? 0 : 1;
}

extern const Noun kScriptsNoun{
    "scripts", R"(  scripts list [--org ORG] [--category C] [--language L] | show SCRIPT [--version N]
          | create --name N --language L --file F [--param NAME:TYPE[:required][:default=V][:choices=A|B]]...
                   [--timeout S] [--org ORG] [--run-as USER] [--os linux,macos] [--category C] [--description D]
          | update SCRIPT [--file F] [--param ...]... [--timeout S] [--run-as USER] [--note TEXT]
          | versions SCRIPT | restore SCRIPT VERSION | delete SCRIPT
          | run SCRIPT --device D [--device D]... | --site S | --group G [--param NAME=VALUE]... [--version N]
                [--timeout S] [--wait]
          | executions [--device D] [--script SCRIPT] [--status S] [--run RUN] | execution ID | cancel RUN
)",
    [](CliContext& cli) { return ScriptCli(cli).run(); }};

} // namespace breeze::admin
