#include "cli/CliContext.h"
#include "cli/Noun.h"

namespace breeze::admin {

namespace {
int runSites(CliContext& cli) {
    const std::string action = cli.positional(1, "sites action (list, create)");
    if (action == "list") {
        cli.printItems(cli.listAll("/api/v1/sites" + cli.filterQuery()),
                       {"id", "name", "org=org_id", "timezone"});
    } else if (action == "create") {
        cli.printObject(cli.call("POST", "/api/v1/sites",
                                 nlohmann::json{{"org_id", cli.resolveOrg(cli.requireOption("--org"))},
                                                {"name", cli.positional(2, "site name")}})
                            .body);
    } else {
        throw CliFailure("unknown sites action " + action);
    }
    return 0;
}
} // namespace

extern const Noun kSitesNoun{"sites", R"(  sites list [--org ORG] | create --org ORG NAME
)",
                             runSites};

} // namespace breeze::admin
