#include "cli/CliContext.h"
#include "cli/Noun.h"

namespace breeze::admin {

namespace {
int runGroups(CliContext& cli) {
    const std::string action = cli.positional(1, "groups action (list, create, rename, delete)");
    if (action == "list") {
        cli.printItems(cli.listAll("/api/v1/groups" + cli.filterQuery()),
                       {"id", "name", "org=org_id", "site=site_id"});
    } else if (action == "create") {
        nlohmann::json body{{"org_id", cli.resolveOrg(cli.requireOption("--org"))},
                            {"name", cli.positional(2, "group name")}};
        if (cli.has("--site"))
            body["site_id"] = cli.resolveSite(cli.option("--site"), cli.option("--org"));
        cli.printObject(cli.call("POST", "/api/v1/groups", body).body);
    } else if (action == "rename") {
        const std::string group = cli.resolveGroup(cli.positional(2, "GROUP"), cli.option("--org"));
        cli.printObject(cli.call("PATCH", "/api/v1/groups/" + group,
                                 nlohmann::json{{"name", cli.positional(3, "new name")}})
                            .body);
    } else if (action == "delete") {
        cli.call("DELETE",
                 "/api/v1/groups/" + cli.resolveGroup(cli.positional(2, "GROUP"), cli.option("--org")));
        if (!cli.flag("--json"))
            cli.out() << "deleted; its devices are now outside any group\n";
    } else {
        throw CliFailure("unknown groups action " + action);
    }
    return 0;
}
} // namespace

extern const Noun kGroupsNoun{
    "groups",
    R"(  groups list [--org ORG] [--site SITE] | create --org ORG [--site SITE] NAME | rename GROUP NAME | delete GROUP
)",
    runGroups};

} // namespace breeze::admin
