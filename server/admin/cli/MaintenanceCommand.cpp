#include "cli/CliContext.h"
#include "cli/Noun.h"

namespace breeze::admin {

namespace {
int runMaintenance(CliContext& cli) {
    const std::string action = cli.positional(1, "maintenance action (list, create, delete)");
    if (action == "list") {
        const auto windows = cli.call("GET", "/api/v1/maintenance-windows" + cli.filterQuery()).body;
        cli.printItems(windows["items"], {"id", "scope", "target=target_name", "from=starts_at", "to=ends_at",
                                          "repeat", "active", "reason"});
    } else if (action == "create") {
        nlohmann::json body{{"starts_at", cli.requireOption("--from")},
                            {"ends_at", cli.requireOption("--to")},
                            {"reason", cli.option("--reason")}};
        const std::string every = cli.option("--every");
        if (!every.empty()) {
            if (every != "day" && every != "week")
                throw CliFailure("--every takes day or week");
            body["repeat"] = every == "day" ? "daily" : "weekly";
        }
        if (const auto devices = cli.every("--device"); !devices.empty()) {
            body["scope"] = "device";
            body["target_id"] = cli.resolveDevice(devices.front());
        } else if (cli.has("--group")) {
            body["scope"] = "group";
            body["target_id"] = cli.resolveGroup(cli.option("--group"), cli.option("--org"));
        } else if (cli.has("--site")) {
            body["scope"] = "site";
            body["target_id"] = cli.resolveSite(cli.option("--site"), cli.option("--org"));
        } else if (cli.has("--org")) {
            body["scope"] = "org";
            body["target_id"] = cli.resolveOrg(cli.option("--org"));
        } else {
            throw CliFailure("say where: --org ORG, --site SITE, --group GROUP or --device DEVICE");
        }
        cli.printObject(cli.call("POST", "/api/v1/maintenance-windows", body).body);
    } else if (action == "delete") {
        cli.call("DELETE", "/api/v1/maintenance-windows/" + cli.positional(2, "window id"));
        if (!cli.flag("--json"))
            cli.out() << "deleted\n";
    } else {
        throw CliFailure("unknown maintenance action " + action);
    }
    return 0;
}
} // namespace

extern const Noun kMaintenanceNoun{"maintenance",
                                   R"(  maintenance list [--org ORG] | delete ID
  maintenance create --org O|--site S|--group G|--device D --from TIME --to TIME [--every day|week] [--reason R]
         TIME with its offset: 2026-12-31T22:00:00+01:00
)",
                                   runMaintenance};

} // namespace breeze::admin
