#include "cli/CliContext.h"
#include "cli/Noun.h"

namespace breeze::admin {

namespace {
int runOrgs(CliContext& cli) {
    const std::string action = cli.positional(1, "orgs action (list, show, create, delete)");
    if (action == "list") {
        cli.printItems(cli.listAll("/api/v1/orgs"), {"id", "name", "created=created_at"});
    } else if (action == "show") {
        cli.printObject(cli.call("GET", "/api/v1/orgs/" + cli.resolveOrg(cli.positional(2, "ORG"))).body);
    } else if (action == "create") {
        cli.printObject(
            cli.call("POST", "/api/v1/orgs", nlohmann::json{{"name", cli.positional(2, "organisation name")}})
                .body);
    } else if (action == "delete") {
        cli.call("DELETE", "/api/v1/orgs/" + cli.resolveOrg(cli.positional(2, "ORG")) +
                               (cli.flag("--cascade") ? "?cascade=true" : ""));
        if (!cli.flag("--json"))
            cli.out() << "deleted\n";
    } else {
        throw CliFailure("unknown orgs action " + action);
    }
    return 0;
}
} // namespace

extern const Noun kOrgsNoun{"orgs", R"(  orgs list | show ORG | create NAME | delete ORG [--cascade]
)",
                            runOrgs};

} // namespace breeze::admin
