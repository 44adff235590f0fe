#include "cli/CliContext.h"
#include "cli/Noun.h"

namespace breeze::admin {

namespace {
std::string resolveChannel(CliContext& cli, const std::string& idOrName) {
    const auto items = cli.call("GET", "/api/v1/notification-channels").body["items"];
    for (const auto& channel : items)
        if (channel["id"] == idOrName || channel["name"] == idOrName)
            return channel["id"];
    throw CliFailure("no notification channel " + idOrName);
}

// `notifications smtp set|show|delete`: the partner's SMTP server for e-mail channels.
int runSmtp(CliContext& cli) {
    const std::string action = cli.positional(2, "smtp action (set, show, delete)");
    if (action == "show") {
        cli.printObject(cli.call("GET", "/api/v1/notification-smtp").body);
    } else if (action == "set") {
        const int chosen = static_cast<int>(cli.flag("--starttls")) + static_cast<int>(cli.flag("--tls")) +
                           static_cast<int>(cli.flag("--plain"));
        if (chosen > 1)
            throw CliFailure("choose one of --starttls, --tls and --plain");
        nlohmann::json body{{"host", cli.requireOption("--host")},
                            {"port", parseCount(cli.option("--port", cli.flag("--tls") ? "465" : "587"))},
                            {"security", cli.flag("--tls")     ? "tls"
                                         : cli.flag("--plain") ? "plain"
                                                               : "starttls"},
                            {"from", cli.requireOption("--from")}};
        if (cli.has("--user")) {
            if (!cli.flag("--password-stdin"))
                throw CliFailure("give the password on standard input with --password-stdin");
            body["username"] = cli.option("--user");
            body["password"] = cli.readSecretLine();
        }
        cli.printObject(cli.call("PUT", "/api/v1/notification-smtp", body).body);
    } else if (action == "delete") {
        cli.call("DELETE", "/api/v1/notification-smtp");
        if (!cli.flag("--json"))
            cli.out() << "deleted; e-mail channels wait until an SMTP server is set again\n";
    } else {
        throw CliFailure("unknown smtp action " + action);
    }
    return 0;
}

int runNotifications(CliContext& cli) {
    const std::string what = cli.positional(1, "notifications part (channels, smtp)");
    if (what == "smtp")
        return runSmtp(cli);
    if (what != "channels")
        throw CliFailure("unknown notifications part " + what + " (channels, smtp)");
    const std::string action = cli.positional(2, "channels action (list, create, test, delete)");
    if (action == "list") {
        nlohmann::json rows = nlohmann::json::array();
        const auto items = cli.call("GET", "/api/v1/notification-channels").body["items"];
        for (auto channel : items) {
            channel["last"] = channel["last_delivery"].is_object()
                                  ? channel["last_delivery"]["state"].get<std::string>() + " " +
                                        channel["last_delivery"]["at"].get<std::string>()
                                  : std::string();
            rows.push_back(std::move(channel));
        }
        cli.printItems(rows, {"id", "name", "kind", "target", "pending", "last"});
    } else if (action == "create") {
        const std::string kind = cli.requireOption("--type");
        nlohmann::json body{
            {"name", cli.requireOption("--name")}, {"kind", kind}, {"url", cli.requireOption("--url")}};
        if (cli.has("--org"))
            body["org_id"] = cli.resolveOrg(cli.option("--org"));
        if (cli.flag("--secret-stdin"))
            body["secret"] = cli.readSecretLine();
        else if (kind == "webhook")
            throw CliFailure("a webhook is signed: give its secret on standard input with --secret-stdin");
        cli.printObject(cli.call("POST", "/api/v1/notification-channels", body).body);
    } else if (action == "test") {
        const auto outcome = cli.call("POST",
                                      "/api/v1/notification-channels/" +
                                          resolveChannel(cli, cli.positional(3, "CHANNEL")) + "/test",
                                      nlohmann::json::object())
                                 .body;
        if (cli.flag("--json")) {
            cli.printObject(outcome);
        } else if (outcome.value("delivered", false)) {
            cli.out() << "delivered: " << outcome.value("response", std::string()) << "\n";
        } else {
            cli.out() << "not delivered: "
                      << (outcome["last_error"].is_string() ? outcome["last_error"].get<std::string>()
                                                            : std::string("no answer yet"))
                      << "\n";
            return 1;
        }
    } else if (action == "delete") {
        cli.call("DELETE",
                 "/api/v1/notification-channels/" + resolveChannel(cli, cli.positional(3, "CHANNEL")));
        if (!cli.flag("--json"))
            cli.out() << "deleted; resolutions it still owes are sent\n";
    } else {
        throw CliFailure("unknown channels action " + action);
    }
    return 0;
}
} // namespace

extern const Noun kNotificationsNoun{"notifications",
                                     R"(  notifications channels list | delete CHANNEL | test CHANNEL
  notifications channels create --name N --type webhook|slack|teams --url URL [--org ORG] [--secret-stdin]
  notifications channels create --name N --type email --to ADDR[,ADDR...] [--org ORG]
  notifications smtp set --host H [--port P] [--starttls|--tls|--plain] [--user U --password-stdin] --from ADDR
  notifications smtp show | delete
)",
                                     runNotifications};

} // namespace breeze::admin
