#include "cli/CliContext.h"
#include "cli/Noun.h"

#include <cstdlib>

namespace breeze::admin {

namespace {
// `breeze-admin alert-rules …`: rules as people write their conditions, where they apply, and what applies to
// one device.
class AlertRuleCli {
public:
    explicit AlertRuleCli(CliContext& cli) : m_cli(cli) {}
    int run();

private:
    std::string resolveRule(const std::string& idOrName);
    nlohmann::json channelIds();
    // The level and target from --partner, --org, --site, --group or --device; nullopt when none is given.
    std::optional<std::pair<std::string, std::string>> target();
    nlohmann::json override();
    void printRule(const nlohmann::json& rule);

    CliContext& m_cli;
};

std::string AlertRuleCli::resolveRule(const std::string& idOrName) {
    std::string found;
    const auto items = m_cli.call("GET", "/api/v1/alert-rules").body["items"];
    for (const auto& rule : items) {
        if (rule["id"] == idOrName)
            return idOrName;
        if (rule["name"] == idOrName) {
            if (!found.empty())
                throw CliFailure("several alert rules are named \"" + idOrName + "\"; give its id");
            found = rule["id"];
        }
    }
    if (found.empty())
        throw CliFailure("no alert rule " + idOrName);
    return found;
}

nlohmann::json AlertRuleCli::channelIds() {
    nlohmann::json ids = nlohmann::json::array();
    const auto wanted = m_cli.every("--notify");
    if (wanted.empty())
        return ids;
    const auto channels = m_cli.call("GET", "/api/v1/notification-channels").body["items"];
    for (const auto& name : wanted) {
        std::string id;
        for (const auto& channel : channels)
            if (channel["id"] == name || channel["name"] == name)
                id = channel["id"];
        if (id.empty())
            throw CliFailure("no notification channel " + name);
        ids.push_back(id);
    }
    return ids;
}

std::optional<std::pair<std::string, std::string>> AlertRuleCli::target() {
    if (m_cli.flag("--partner"))
        return std::make_pair(std::string("partner"), std::string());
    // --device may be repeated elsewhere, so it is read as a list.
    if (const auto devices = m_cli.every("--device"); !devices.empty())
        return std::make_pair(std::string("device"), m_cli.resolveDevice(devices.front()));
    if (m_cli.has("--group"))
        return std::make_pair(std::string("group"),
                              m_cli.resolveGroup(m_cli.option("--group"), m_cli.option("--org")));
    if (m_cli.has("--site"))
        return std::make_pair(std::string("site"),
                              m_cli.resolveSite(m_cli.option("--site"), m_cli.option("--org")));
    if (m_cli.has("--org"))
        return std::make_pair(std::string("org"), m_cli.resolveOrg(m_cli.option("--org")));
    return std::nullopt;
}

nlohmann::json AlertRuleCli::override() {
    nlohmann::json changes = nlohmann::json::object();
    const auto number = [](const std::string& text) {
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0')
            throw CliFailure("expected a number, got " + text);
        return value;
    };
    if (m_cli.has("--threshold"))
        changes["threshold"] = number(m_cli.option("--threshold"));
    if (m_cli.has("--clear"))
        changes["clear_threshold"] = number(m_cli.option("--clear"));
    if (m_cli.has("--for"))
        changes["for_seconds"] = parseDuration(m_cli.option("--for"));
    if (m_cli.has("--healthy"))
        changes["healthy_seconds"] = parseDuration(m_cli.option("--healthy"));
    return changes;
}

void AlertRuleCli::printRule(const nlohmann::json& rule) {
    if (m_cli.flag("--json")) {
        m_cli.printObject(rule);
        return;
    }
    m_cli.out() << rule["name"].get<std::string>() << " (" << rule["id"].get<std::string>() << ")\n"
                << "  when      " << rule["expression"].get<std::string>() << "\n"
                << "  severity  " << rule["severity"].get<std::string>()
                << (rule["enabled"].get<bool>() ? "" : "  (disabled)") << "\n"
                << "  title     " << rule["title"].get<std::string>() << "\n"
                << "  open      " << rule["open_alerts"].dump() << " alert(s)\n";
    for (const auto& assignment : rule["assignments"])
        m_cli.out() << "  " << (assignment["exclude"].get<bool>() ? "excluded at " : "applies to  ")
                    << assignment["scope"].get<std::string>() << " "
                    << assignment["target_name"].get<std::string>() << " ("
                    << assignment["id"].get<std::string>() << ")"
                    << (assignment["override"].is_null() ? "" : "  override " + assignment["override"].dump())
                    << "\n";
}

int AlertRuleCli::run() {
    const std::string action = m_cli.positional(
        1, "alert-rules action (list, show, create, update, delete, assign, unassign, device)");
    if (action == "list") {
        nlohmann::json rows = nlohmann::json::array();
        const auto items = m_cli.call("GET", "/api/v1/alert-rules").body["items"];
        for (auto rule : items) {
            rule["applies"] = rule["assignments"].size();
            rows.push_back(std::move(rule));
        }
        m_cli.printItems(rows, {"id", "name", "when=expression", "severity", "enabled", "assignments=applies",
                                "open=open_alerts"});
    } else if (action == "show") {
        printRule(m_cli.call("GET", "/api/v1/alert-rules/" + resolveRule(m_cli.positional(2, "RULE"))).body);
    } else if (action == "create") {
        nlohmann::json body{{"name", m_cli.requireOption("--name")},
                            {"condition", m_cli.requireOption("--condition")},
                            {"severity", m_cli.requireOption("--severity")},
                            {"channel_ids", channelIds()}};
        if (m_cli.has("--title"))
            body["title"] = m_cli.option("--title");
        if (m_cli.has("--message"))
            body["message"] = m_cli.option("--message");
        if (const auto where = target(); where && where->first != "partner") {
            body["applies_to"] = where->first;
            body["target_id"] = where->second;
        }
        printRule(m_cli.call("POST", "/api/v1/alert-rules", body).body);
    } else if (action == "update") {
        nlohmann::json body = nlohmann::json::object();
        for (const auto& [option, field] :
             std::vector<std::pair<std::string, std::string>>{{"--name", "name"},
                                                              {"--condition", "condition"},
                                                              {"--severity", "severity"},
                                                              {"--title", "title"},
                                                              {"--message", "message"}})
            if (m_cli.has(option))
                body[field] = m_cli.option(option);
        if (!m_cli.every("--notify").empty())
            body["channel_ids"] = channelIds();
        if (m_cli.flag("--none"))
            body["channel_ids"] = nlohmann::json::array();
        if (m_cli.flag("--enable") || m_cli.flag("--disable"))
            body["enabled"] = m_cli.flag("--enable");
        printRule(m_cli.call("PATCH", "/api/v1/alert-rules/" + resolveRule(m_cli.positional(2, "RULE")), body)
                      .body);
    } else if (action == "delete") {
        m_cli.call("DELETE", "/api/v1/alert-rules/" + resolveRule(m_cli.positional(2, "RULE")));
        if (!m_cli.flag("--json"))
            m_cli.out() << "deleted; its open alerts are resolved and their channels told\n";
    } else if (action == "assign") {
        const std::string rule = resolveRule(m_cli.positional(2, "RULE"));
        const auto where = target();
        if (!where)
            throw CliFailure(
                "say where: --partner, --org ORG, --site SITE, --group GROUP or --device DEVICE");
        nlohmann::json body{{"scope", where->first}, {"exclude", m_cli.flag("--exclude")}};
        if (!where->second.empty())
            body["target_id"] = where->second;
        if (const auto changes = override(); !changes.empty())
            body["override"] = changes;
        m_cli.printObject(m_cli.call("POST", "/api/v1/alert-rules/" + rule + "/assignments", body).body);
    } else if (action == "unassign") {
        m_cli.call("DELETE", "/api/v1/alert-rules/" + resolveRule(m_cli.positional(2, "RULE")) +
                                 "/assignments/" + m_cli.positional(3, "assignment id"));
        if (!m_cli.flag("--json"))
            m_cli.out() << "unassigned\n";
    } else if (action == "device") {
        const std::string device = m_cli.resolveDevice(m_cli.positional(2, "DEVICE"));
        nlohmann::json rows = nlohmann::json::array();
        const auto items = m_cli.call("GET", "/api/v1/devices/" + device + "/alert-rules").body["items"];
        for (auto rule : items) {
            rule["from_scope"] = rule["from"]["scope"];
            rows.push_back(std::move(rule));
        }
        m_cli.printItems(rows, {"rule=rule_id", "name", "when=expression", "severity", "enabled",
                                "from=from_scope", "overridden"});
    } else {
        throw CliFailure("unknown alert-rules action " + action);
    }
    return 0;
}

int runAlertRules(CliContext& cli) {
    return AlertRuleCli(cli).run();
}
} // namespace

extern const Noun kAlertRulesNoun{
    "alert-rules",
    R"(  alert-rules list | show RULE | delete RULE | device DEVICE (the rules that apply, and where from)
  alert-rules create --name N [--org O|--site S|--group G|--device D] --condition EXPR
         --severity info|warning|critical [--notify CHANNEL]... [--title T] [--message M]
         EXPR: "offline for 1m", "cpu > 90% for 5m", "disk_free < 10% on /var for 10m clear > 15% healthy for 30m"
  alert-rules update RULE [--name N] [--condition EXPR] [--severity S] [--notify CHANNEL]... [--none]
         [--enable|--disable] [--title T] [--message M]
  alert-rules assign RULE --partner|--org O|--site S|--group G|--device D [--exclude]
         [--threshold N] [--clear N] [--for DURATION] [--healthy DURATION]
  alert-rules unassign RULE ASSIGNMENT
)",
    runAlertRules};

} // namespace breeze::admin
