#include "cli/CliContext.h"
#include "cli/Noun.h"

namespace breeze::admin {

namespace {
int runAudit(CliContext& cli) {
    if (cli.positional(1, "audit action (list)") != "list")
        throw CliFailure("unknown audit action " + cli.positionals()[1]);
    std::string query = "?limit=" + std::to_string(parseCount(cli.option("--limit", "50")));
    if (cli.has("--org"))
        query += "&org=" + cli.resolveOrg(cli.option("--org"));
    for (const auto& [flagName, param] :
         std::vector<std::pair<std::string, std::string>>{{"--action", "action"},
                                                          {"--actor", "actor"},
                                                          {"--result", "result"},
                                                          {"--since", "since"},
                                                          {"--until", "until"}}) {
        if (cli.has(flagName))
            query += "&" + param + "=" + urlEncode(cli.option(flagName));
    }
    cli.printItems(
        cli.call("GET", "/api/v1/audit" + query).body["items"],
        {"id", "at", "actor=actor_label", "address", "action", "resource=resource_name", "result"});
    return 0;
}
} // namespace

extern const Noun kAuditNoun{
    "audit",
    R"(  audit list [--org ORG] [--action A] [--actor A] [--result R] [--since T] [--until T] [--limit N]
)",
    runAudit};

} // namespace breeze::admin
