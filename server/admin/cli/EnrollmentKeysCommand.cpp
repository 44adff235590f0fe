#include "cli/CliContext.h"
#include "cli/Noun.h"
#include "enrollment/AgentInstallCommand.h"

#include <fstream>
#include <sstream>

namespace breeze::admin {

namespace {
// The copy-paste line that installs the agent package and enrolls a machine with `key`.
void printInstallCommand(CliContext& cli, const std::string& key) {
    cli.client(); // the server and CA as this CLI uses them
    std::string pem;
    if (!cli.caFile().empty()) {
        std::ifstream in(cli.caFile());
        std::ostringstream text;
        text << in.rdbuf();
        pem = text.str();
    }
    std::string line;
    try {
        line = enrollment::agentInstallCommand(cli.serverUrl(), pem, key, cli.option("--package-url"));
    } catch (const std::invalid_argument& error) {
        throw CliFailure(std::string("install-command: ") + error.what());
    }
    if (cli.flag("--json"))
        cli.out() << nlohmann::json{{"command", line}, {"server", cli.serverUrl()}}.dump(2) << "\n";
    else
        cli.out() << line << "\n";
}

int runEnrollmentKeys(CliContext& cli) {
    const std::string action = cli.positional(1, "enrollment-keys action (list, create, revoke)");
    if (action == "list") {
        const std::string query = cli.filterQuery();
        cli.printItems(
            cli.listAll("/api/v1/enrollment-keys" + query),
            {"id", "name", "prefix", "site=site_id", "uses", "max=max_uses", "expires=expires_at", "status"});
    } else if (action == "create") {
        nlohmann::json body = {{"site_id", cli.resolveSite(cli.requireOption("--site"), cli.option("--org"))},
                               {"expires_in_seconds", parseDuration(cli.requireOption("--expires-in"))}};
        if (cli.has("--max-uses"))
            body["max_uses"] = parseCount(cli.option("--max-uses"));
        if (cli.has("--name"))
            body["name"] = cli.option("--name");
        cli.printCreatedSecret("enrollment key", cli.call("POST", "/api/v1/enrollment-keys", body).body);
    } else if (action == "revoke") {
        cli.revoke("/api/v1/enrollment-keys/" + cli.positional(2, "enrollment key id"));
    } else if (action == "install-command") {
        printInstallCommand(cli, cli.positional(2, "the enrollment key (enr_...)"));
    } else {
        throw CliFailure("unknown enrollment-keys action " + action);
    }
    return 0;
}
} // namespace

extern const Noun kEnrollmentKeysNoun{
    "enrollment-keys",
    R"(  enrollment-keys list [--org ORG] [--site SITE] | create --site SITE [--org ORG] --expires-in DURATION
                  [--max-uses N] [--name N] | revoke ID
  enrollment-keys install-command KEY [--package-url URL]
                  a copy-paste line that installs the agent package and enrolls the machine with KEY
)",
    runEnrollmentKeys};

} // namespace breeze::admin
