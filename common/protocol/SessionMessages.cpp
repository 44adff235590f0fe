#include "protocol/SessionMessages.h"

#include "encoding/Uuid.h"
#include "protocol/AgentMessages.h"
#include "protocol/MessageFields.h"

namespace breeze::protocol {

namespace {
constexpr std::int64_t kMaxChannel = 0x7FFFFFFF;

Envelope envelopeOf(const char* type, nlohmann::json fields) {
    Envelope envelope;
    envelope.type = type;
    envelope.fields = std::move(fields);
    return envelope;
}

std::string sessionIdOf(const MessageFields& fields, const std::string& type) {
    auto id = fields.string("session_id", 36, Text::Name);
    if (!encoding::isUuid(id))
        throw MessageError(type + ".session_id must be a session id");
    return id;
}
} // namespace

std::optional<SessionKind> sessionKindNamed(std::string_view name) {
    if (name == "terminal")
        return SessionKind::Terminal;
    if (name == "files")
        return SessionKind::Files;
    if (name == "desktop")
        return SessionKind::Desktop;
    return std::nullopt;
}

const char* sessionKindName(SessionKind kind) {
    switch (kind) {
    case SessionKind::Terminal:
        return "terminal";
    case SessionKind::Files:
        return "files";
    case SessionKind::Desktop:
        break;
    }
    return "desktop";
}

std::uint64_t initialWindow(SessionKind kind) {
    // A terminal needs little in flight to feel instant; transfers need a few round trips' worth at full
    // speed. A desktop paces itself on the viewer's acknowledgements (a few pictures in flight); its window
    // only has to hold the largest picture, a keyframe of a big screen.
    return kind == SessionKind::Terminal ? 1 * kMiB : 8 * kMiB;
}

SessionOpen SessionOpen::decode(const Envelope& envelope) {
    const MessageFields fields(envelope.fields, envelope.type);
    SessionOpen open;
    open.sessionId = sessionIdOf(fields, envelope.type);
    open.channel = static_cast<std::uint32_t>(fields.integer("channel", 1, kMaxChannel));
    const auto kind = sessionKindNamed(fields.string("kind", 16, Text::Name));
    if (!kind)
        throw MessageError(envelope.type + ".kind must be terminal, files or desktop");
    open.kind = *kind;
    const auto terminal = fields.object("terminal");
    open.terminal.cols = static_cast<int>(terminal.optionalInteger("cols", 1, 1000).value_or(80));
    open.terminal.rows = static_cast<int>(terminal.optionalInteger("rows", 1, 1000).value_or(24));
    open.terminal.shell = terminal.stringOr("shell", 255, "", Text::Name);
    open.terminal.user = terminal.stringOr("user", 64, "", Text::Name);
    open.terminal.command = terminal.stringOr("command", 4096, "", Text::Verbatim);
    open.terminal.echo = terminal.boolean("echo", true);
    if (open.terminal.command.find('\0') != std::string::npos)
        throw MessageError(envelope.type + ".terminal.command must not contain NUL");
    const auto files = fields.object("files");
    open.files.root = files.stringOr("root", 1024, "/", Text::Name);
    if (!open.files.root.starts_with('/'))
        throw MessageError(envelope.type + ".files.root must be an absolute path");
    open.files.download = files.boolean("download", false);
    open.files.upload = files.boolean("upload", false);
    open.files.remove = files.boolean("remove", false);
    open.desktop.viewOnly = fields.object("desktop").boolean("view_only", false);
    open.desktop.record = fields.object("desktop").boolean("record", false);
    open.resume = fields.boolean("resume", false);
    open.idleTimeoutSeconds = static_cast<int>(
        fields.optionalInteger("idle_timeout_seconds", 0, std::int64_t{7} * 86400).value_or(0));
    open.keepDetachedSeconds = static_cast<int>(
        fields.optionalInteger("keep_detached_seconds", 0, 86400).value_or(kDefaultKeepDetachedSeconds));
    return open;
}

Envelope SessionOpen::encode() const {
    return envelopeOf(agent_message::kSessionOpen,
                      {{"session_id", sessionId},
                       {"channel", channel},
                       {"kind", sessionKindName(kind)},
                       {"terminal",
                        {{"cols", terminal.cols},
                         {"rows", terminal.rows},
                         {"shell", terminal.shell},
                         {"user", terminal.user},
                         {"command", terminal.command},
                         {"echo", terminal.echo}}},
                       {"files",
                        {{"root", files.root},
                         {"download", files.download},
                         {"upload", files.upload},
                         {"remove", files.remove}}},
                       {"desktop", {{"view_only", desktop.viewOnly}, {"record", desktop.record}}},
                       {"resume", resume},
                       {"idle_timeout_seconds", idleTimeoutSeconds},
                       {"keep_detached_seconds", keepDetachedSeconds}});
}

SessionDetach SessionDetach::decode(const Envelope& envelope) {
    const MessageFields fields(envelope.fields, envelope.type);
    SessionDetach detach;
    detach.channel = static_cast<std::uint32_t>(fields.integer("channel", 1, kMaxChannel));
    return detach;
}

Envelope SessionDetach::encode() const {
    return envelopeOf(agent_message::kSessionDetach, {{"channel", channel}});
}

SessionClose SessionClose::decode(const Envelope& envelope) {
    const MessageFields fields(envelope.fields, envelope.type);
    SessionClose close;
    close.sessionId = sessionIdOf(fields, envelope.type);
    close.reason = fields.stringOr("reason", 500, "");
    return close;
}

Envelope SessionClose::encode() const {
    return envelopeOf(agent_message::kSessionClose, {{"session_id", sessionId}, {"reason", reason}});
}

SessionClosed SessionClosed::decode(const Envelope& envelope) {
    const MessageFields fields(envelope.fields, envelope.type);
    SessionClosed closed;
    closed.sessionId = sessionIdOf(fields, envelope.type);
    closed.channel =
        static_cast<std::uint32_t>(fields.optionalInteger("channel", 0, kMaxChannel).value_or(0));
    closed.reason = fields.stringOr("reason", 500, "");
    if (const auto code = fields.optionalInteger("exit_code", -1000, 1000))
        closed.exitCode = static_cast<int>(*code);
    return closed;
}

Envelope SessionClosed::encode() const {
    nlohmann::json fields = {{"session_id", sessionId}, {"channel", channel}, {"reason", reason}};
    if (exitCode)
        fields["exit_code"] = *exitCode;
    return envelopeOf(agent_message::kSessionClosed, fields);
}

} // namespace breeze::protocol
