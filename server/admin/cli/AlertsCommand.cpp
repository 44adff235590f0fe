#include "cli/CliContext.h"
#include "cli/Noun.h"

namespace breeze::admin {

namespace {
// The table shows names where the API nests them.
nlohmann::json flattened(const nlohmann::json& alerts) {
    nlohmann::json rows = nlohmann::json::array();
    for (auto alert : alerts) {
        alert["device_name"] = alert["device"]["name"];
        alert["rule_name"] = alert["rule"]["name"];
        alert["value_text"] = alert["value"].value("text", std::string());
        rows.push_back(std::move(alert));
    }
    return rows;
}

int runAlerts(CliContext& cli) {
    const std::string action = cli.positional(1, "alerts action (list, show, ack, resolve, summary)");
    if (action == "list") {
        std::string extra;
        if (cli.has("--state"))
            extra += "state=" + urlEncode(cli.option("--state"));
        if (cli.has("--severity"))
            extra +=
                std::string(extra.empty() ? "" : "&") + "severity=" + urlEncode(cli.option("--severity"));
        if (const auto devices = cli.every("--device"); !devices.empty())
            extra += std::string(extra.empty() ? "" : "&") + "device=" + cli.resolveDevice(devices.front());
        cli.printItems(flattened(cli.listAll("/api/v1/alerts" + cli.filterQuery(extra))),
                       {"id", "state", "severity", "device=device_name", "rule=rule_name", "value=value_text",
                        "opened=opened_at", "flapping"});
    } else if (action == "show") {
        cli.printObject(cli.call("GET", "/api/v1/alerts/" + cli.positional(2, "alert id")).body);
    } else if (action == "ack") {
        cli.printObject(cli.call("POST", "/api/v1/alerts/" + cli.positional(2, "alert id") + "/acknowledge",
                                 nlohmann::json{{"note", cli.option("--note")}})
                            .body);
    } else if (action == "resolve") {
        cli.printObject(cli.call("POST", "/api/v1/alerts/" + cli.positional(2, "alert id") + "/resolve",
                                 nlohmann::json::object())
                            .body);
    } else if (action == "summary") {
        cli.printObject(cli.call("GET", "/api/v1/alerts/summary").body);
    } else {
        throw CliFailure("unknown alerts action " + action);
    }
    return 0;
}
} // namespace

extern const Noun kAlertsNoun{
    "alerts",
    R"(  alerts list [--state open|active|acknowledged|resolved] [--severity S] [--device D] [--org ORG] [--site SITE]
         | show ID | ack ID [--note TEXT] | resolve ID | summary
)",
    runAlerts};

} // namespace breeze::admin
