#include "cli/CliContext.h"
#include "cli/Noun.h"

namespace breeze::admin {

namespace {
int runRoles(CliContext& cli) {
    if (cli.positional(1, "roles action (list)") != "list")
        throw CliFailure("unknown roles action " + cli.positionals()[1]);
    cli.printItems(cli.call("GET", "/api/v1/roles").body["items"], {"id", "name", "builtin", "description"});
    return 0;
}
} // namespace

extern const Noun kRolesNoun{"roles", R"(  roles list
)",
                             runRoles};

} // namespace breeze::admin
