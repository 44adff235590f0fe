#include "cli/CliContext.h"
#include "cli/Noun.h"

namespace breeze::admin {

namespace {
int runUsers(CliContext& cli) {
    const std::string action = cli.positional(1, "users action (list, create)");
    if (action == "list") {
        cli.printItems(cli.listAll("/api/v1/users" + cli.filterQuery()),
                       {"id", "email", "org=home_org_id", "roles=grants", "mfa=mfa_enabled", "disabled"});
    } else if (action == "create") {
        if (!cli.flag("--password-stdin"))
            throw CliFailure("users create reads the password from standard input: pass --password-stdin");
        nlohmann::json body = {{"email", cli.requireOption("--email")},
                               {"role", cli.requireOption("--role")}};
        if (cli.has("--org"))
            body["org_id"] = cli.resolveOrg(cli.option("--org"));
        if (cli.has("--name"))
            body["display_name"] = cli.option("--name");
        body["password"] = cli.readSecretLine();
        cli.printObject(cli.call("POST", "/api/v1/users", body).body);
    } else {
        throw CliFailure("unknown users action " + action);
    }
    return 0;
}
} // namespace

extern const Noun kUsersNoun{
    "users", R"(  users list [--org ORG] | create --email E [--org ORG] --role ROLE --password-stdin
)",
    runUsers};

} // namespace breeze::admin
