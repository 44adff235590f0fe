#include "cli/CliContext.h"
#include "cli/Noun.h"

namespace breeze::admin {

namespace {
int runApiKeys(CliContext& cli) {
    const std::string action = cli.positional(1, "api-keys action (list, create, revoke)");
    if (action == "list") {
        cli.printItems(cli.listAll("/api/v1/api-keys" + cli.filterQuery()),
                       {"id", "name", "prefix", "org=org_id", "role", "status", "last_used=last_used_at"});
    } else if (action == "create") {
        nlohmann::json body = {{"name", cli.requireOption("--name")},
                               {"org_id", cli.resolveOrg(cli.requireOption("--org"))},
                               {"role", cli.requireOption("--role")}};
        if (cli.has("--expires-in"))
            body["expires_in_days"] = std::max(1LL, parseDuration(cli.option("--expires-in")) / 86400);
        cli.printCreatedSecret("API key", cli.call("POST", "/api/v1/api-keys", body).body);
    } else if (action == "revoke") {
        cli.revoke("/api/v1/api-keys/" + cli.positional(2, "API key id"));
    } else {
        throw CliFailure("unknown api-keys action " + action);
    }
    return 0;
}
} // namespace

extern const Noun kApiKeysNoun{
    "api-keys",
    R"(  api-keys list [--org ORG] | create --name N --org ORG --role ROLE [--expires-in DURATION] | revoke ID
)",
    runApiKeys};

} // namespace breeze::admin
