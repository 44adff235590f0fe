#include "protocol/TerminalControl.h"

#include "protocol/MessageFields.h"
#include "protocol/SessionMessages.h"

namespace breeze::protocol {

bool isControlType(const nlohmann::json& control, const char* type) {
    return control.at("type").get_ref<const std::string&>() == type;
}

nlohmann::json decodeSessionControl(std::string_view payload) {
    if (payload.size() > kMaxSessionControlBytes)
        throw MessageError("a session control message is larger than " +
                           std::to_string(kMaxSessionControlBytes) + " bytes");
    auto control = nlohmann::json::parse(payload, nullptr, false);
    if (control.is_discarded() || !control.is_object())
        throw MessageError("a session control message must be a JSON object");
    const auto type = control.find("type");
    if (type == control.end() || !type->is_string() || type->get_ref<const std::string&>().empty() ||
        type->get_ref<const std::string&>().size() > 32)
        throw MessageError("a session control message needs a \"type\"");
    return control;
}

std::optional<TerminalResize> TerminalResize::from(const nlohmann::json& control) {
    if (!isControlType(control, "resize"))
        return std::nullopt;
    const MessageFields fields(control, "resize");
    TerminalResize resize;
    resize.cols = static_cast<int>(fields.integer("cols", 1, 1000));
    resize.rows = static_cast<int>(fields.integer("rows", 1, 1000));
    return resize;
}

std::string TerminalResize::encode() const {
    return nlohmann::json{{"type", "resize"}, {"cols", cols}, {"rows", rows}}.dump();
}

std::optional<TerminalReady> TerminalReady::from(const nlohmann::json& control) {
    if (!isControlType(control, "ready"))
        return std::nullopt;
    const MessageFields fields(control, "ready");
    TerminalReady ready;
    ready.resumed = fields.boolean("resumed", false);
    ready.cols = static_cast<int>(fields.integer("cols", 1, 1000));
    ready.rows = static_cast<int>(fields.integer("rows", 1, 1000));
    ready.snapshot = fields.counter("snapshot");
    return ready;
}

std::string TerminalReady::encode() const {
    return nlohmann::json{
        {"type", "ready"}, {"resumed", resumed}, {"cols", cols}, {"rows", rows}, {"snapshot", snapshot}}
        .dump();
}

std::optional<TerminalEcho> TerminalEcho::from(const nlohmann::json& control) {
    if (!isControlType(control, "echo"))
        return std::nullopt;
    TerminalEcho echo;
    echo.on = MessageFields(control, "echo").boolean("on", true);
    return echo;
}

std::string TerminalEcho::encode() const {
    return nlohmann::json{{"type", "echo"}, {"on", on}}.dump();
}

std::optional<SessionEnded> SessionEnded::from(const nlohmann::json& control) {
    if (!isControlType(control, "closed"))
        return std::nullopt;
    const MessageFields fields(control, "closed");
    SessionEnded ended;
    ended.reason = fields.stringOr("reason", 500, "", Text::Multiline);
    if (const auto code = fields.optionalInteger("exit_code", -1000, 1000))
        ended.exitCode = static_cast<int>(*code);
    return ended;
}

std::string SessionEnded::encode() const {
    nlohmann::json control{{"type", "closed"}, {"reason", reason}};
    if (exitCode)
        control["exit_code"] = *exitCode;
    return control.dump();
}

} // namespace breeze::protocol
