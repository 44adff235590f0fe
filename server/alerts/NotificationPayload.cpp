#include "alerts/NotificationPayload.h"

#include <string_view>

namespace breeze::server {

namespace {
std::string field(const nlohmann::json& object, const char* key) {
    const auto found = object.find(key);
    return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

// Slack reads <...> as links and mentions (<!channel>): a device's name is its agent's word, so the three
// characters Slack's format reserves are escaped as Slack asks.
std::string slackEscaped(const std::string& text) {
    std::string out;
    for (const char c : text) {
        if (c == '&')
            out += "&amp;";
        else if (c == '<')
            out += "&lt;";
        else if (c == '>')
            out += "&gt;";
        else
            out += c;
    }
    return out;
}

// Teams renders a MessageCard's text as Markdown: markup characters in agent-supplied names are shown as they
// are.
std::string markdownEscaped(const std::string& text) {
    std::string out;
    for (const char c : text) {
        if (std::string_view("\\`*_{}[]()#+-.!<>|").find(c) != std::string_view::npos)
            out += '\\';
        out += c;
    }
    return out;
}

std::string upper(std::string word) {
    for (char& c : word)
        if (c >= 'a' && c <= 'z')
            c = static_cast<char>(c - 'a' + 'A');
    return word;
}

std::string details(const NotificationStore::Claimed& notification) {
    if (notification.kind == "test")
        return "A test of the channel \"" + notification.channelName + "\", asked for by " +
               field(notification.detail, "by") + ".";
    std::string body = field(notification.alert, "message");
    if (notification.kind == "resolved") {
        const std::string resolution = field(notification.detail, "resolution");
        const std::string who = field(notification.detail, "resolved_by");
        body += "\nResolved: " + (resolution == "by_hand" ? "by " + who : resolution);
    } else if (notification.detail.is_object() && notification.detail.value("flapping", false)) {
        body += "\nThis alert is flapping: it fired four times within the hour. Further repeats are not sent "
                "until it settles.";
    }
    return body;
}
} // namespace

std::string NotificationPayload::eventName(const NotificationStore::Claimed& notification) {
    return notification.kind == "test" ? "test" : "alert." + notification.kind;
}

std::string NotificationPayload::headline(const NotificationStore::Claimed& notification) {
    if (notification.kind == "test")
        return "[TEST] Breeze notification channel \"" + notification.channelName + "\"";
    return "[" + upper(notification.kind) + "] " + field(notification.alert, "severity") + ": " +
           field(notification.alert, "title");
}

nlohmann::json NotificationPayload::webhook(const NotificationStore::Claimed& notification,
                                            long long sentAt) {
    nlohmann::json document{{"id", std::to_string(notification.id)},
                            {"event", eventName(notification)},
                            {"sent_at", sentAt},
                            {"attempt", notification.attempts},
                            {"detail", notification.detail}};
    document["alert"] = notification.alert;
    return document;
}

std::string NotificationPayload::text(const NotificationStore::Claimed& notification) {
    std::string body = headline(notification) + "\n\n" + details(notification) + "\n";
    if (notification.alert.is_object()) {
        const auto& alert = notification.alert;
        body += "\nDevice:    " + field(alert.value("device", nlohmann::json::object()), "name") +
                "\nRule:      " + field(alert.value("rule", nlohmann::json::object()), "name") +
                "\nSeverity:  " + field(alert, "severity") + "\nOpened:    " + field(alert, "opened_at") +
                "\nAlert id:  " + field(alert, "id") + "\n";
    }
    return body + "\n-- \nBreeze notification " + std::to_string(notification.id) + "\n";
}

nlohmann::json NotificationPayload::slack(const NotificationStore::Claimed& notification) {
    return {{"text", slackEscaped(headline(notification) + "\n" + details(notification))}};
}

nlohmann::json NotificationPayload::teams(const NotificationStore::Claimed& notification) {
    const std::string severity = field(notification.alert, "severity");
    const char* colour = notification.kind == "resolved" ? "2E7D32"
                         : severity == "critical"        ? "C62828"
                         : severity == "warning"         ? "EF6C00"
                                                         : "1565C0";
    return {{"@type", "MessageCard"},
            {"@context", "https://schema.org/extensions"},
            {"summary", headline(notification)},
            {"themeColor", colour},
            {"title", markdownEscaped(headline(notification))},
            {"text", markdownEscaped(details(notification))}};
}

std::string NotificationPayload::body(const NotificationStore::Claimed& notification, long long sentAt) {
    if (notification.channelKind == "slack")
        return slack(notification).dump();
    if (notification.channelKind == "teams")
        return teams(notification).dump();
    return webhook(notification, sentAt).dump();
}

} // namespace breeze::server
