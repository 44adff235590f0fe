#include "protocol/DesktopControl.h"

#include "protocol/DesktopFrame.h"
#include "protocol/MessageFields.h"
#include "protocol/TerminalControl.h"

namespace breeze::protocol {

namespace {
constexpr std::size_t kMaxMonitors = 16;
constexpr std::size_t kMaxMonitorName = 64;
constexpr std::int64_t kMaxCoordinate = std::int64_t{4} * kMaxDesktopDimension;

int streamOf(const MessageFields& fields) {
    return static_cast<int>(fields.integer("stream", 0, kMaxDesktopStreams - 1));
}

std::string monitorNameOf(const MessageFields& fields, std::string_view name) {
    auto monitor = fields.string(name, kMaxMonitorName, Text::Name);
    if (monitor.empty())
        throw MessageError(std::string(name) + " must name a monitor");
    return monitor;
}

std::string codecOf(const MessageFields& fields) {
    auto codec = fields.string("codec", 8, Text::Name);
    if (!desktopCodecNamed(codec))
        throw MessageError("codec must be vp8 or h264");
    return codec;
}
} // namespace

const char* desktopQualityName(DesktopQuality quality) {
    switch (quality) {
    case DesktopQuality::Speed:
        return "speed";
    case DesktopQuality::Balanced:
        return "balanced";
    case DesktopQuality::Quality:
        return "quality";
    case DesktopQuality::Automatic:
        break;
    }
    return "auto";
}

std::optional<DesktopQuality> desktopQualityNamed(std::string_view name) {
    for (const auto quality : {DesktopQuality::Automatic, DesktopQuality::Speed, DesktopQuality::Balanced,
                               DesktopQuality::Quality})
        if (name == desktopQualityName(quality))
            return quality;
    return std::nullopt;
}

std::optional<DesktopLayout> DesktopLayout::from(const nlohmann::json& control) {
    if (!isControlType(control, "layout"))
        return std::nullopt;
    const MessageFields fields(control, "layout");
    DesktopLayout layout;
    layout.monitors = fields.objects("monitors", kMaxMonitors, [](const MessageFields& monitor) {
        DesktopMonitor read;
        read.name = monitorNameOf(monitor, "name");
        read.x = static_cast<int>(monitor.integer("x", -kMaxCoordinate, kMaxCoordinate));
        read.y = static_cast<int>(monitor.integer("y", -kMaxCoordinate, kMaxCoordinate));
        read.width = static_cast<int>(monitor.integer("width", 1, kMaxDesktopDimension));
        read.height = static_cast<int>(monitor.integer("height", 1, kMaxDesktopDimension));
        read.primary = monitor.boolean("primary", false);
        return read;
    });
    layout.codecs = fields.strings("codecs", 4, 8, Text::Name);
    for (const auto& codec : layout.codecs)
        if (!desktopCodecNamed(codec))
            throw MessageError("layout.codecs must hold vp8 or h264");
    layout.viewOnly = fields.boolean("view_only", false);
    layout.resumed = fields.boolean("resumed", false);
    return layout;
}

std::string DesktopLayout::encode() const {
    auto list = nlohmann::json::array();
    for (const auto& monitor : monitors)
        list.push_back({{"name", monitor.name},
                        {"x", monitor.x},
                        {"y", monitor.y},
                        {"width", monitor.width},
                        {"height", monitor.height},
                        {"primary", monitor.primary}});
    return nlohmann::json{{"type", "layout"},
                          {"monitors", list},
                          {"codecs", codecs},
                          {"view_only", viewOnly},
                          {"resumed", resumed}}
        .dump();
}

std::optional<DesktopStreamRequest> DesktopStreamRequest::from(const nlohmann::json& control) {
    if (!isControlType(control, "stream"))
        return std::nullopt;
    const MessageFields fields(control, "stream");
    DesktopStreamRequest request;
    request.stream = streamOf(fields);
    request.monitor = monitorNameOf(fields, "monitor");
    request.codec = codecOf(fields);
    const auto quality = desktopQualityNamed(fields.stringOr("quality", 16, "auto", Text::Name));
    if (!quality)
        throw MessageError("stream.quality must be auto, speed, balanced or quality");
    request.quality = *quality;
    request.maxFps = static_cast<int>(fields.optionalInteger("max_fps", 1, 60).value_or(30));
    return request;
}

std::string DesktopStreamRequest::encode() const {
    return nlohmann::json{{"type", "stream"},
                          {"stream", stream},
                          {"monitor", monitor},
                          {"codec", codec},
                          {"quality", desktopQualityName(quality)},
                          {"max_fps", maxFps}}
        .dump();
}

std::optional<DesktopStreamStop> DesktopStreamStop::from(const nlohmann::json& control) {
    if (!isControlType(control, "stop_stream"))
        return std::nullopt;
    return DesktopStreamStop{streamOf(MessageFields(control, "stop_stream"))};
}

std::string DesktopStreamStop::encode() const {
    return nlohmann::json{{"type", "stop_stream"}, {"stream", stream}}.dump();
}

std::optional<DesktopStreamState> DesktopStreamState::from(const nlohmann::json& control) {
    if (!isControlType(control, "stream_state"))
        return std::nullopt;
    const MessageFields fields(control, "stream_state");
    DesktopStreamState state;
    state.stream = streamOf(fields);
    state.error = fields.stringOr("error", 500, "", Text::Line);
    if (state.error.empty()) {
        state.monitor = monitorNameOf(fields, "monitor");
        state.codec = codecOf(fields);
        state.x = static_cast<int>(fields.integer("x", -kMaxCoordinate, kMaxCoordinate));
        state.y = static_cast<int>(fields.integer("y", -kMaxCoordinate, kMaxCoordinate));
        state.width = static_cast<int>(fields.integer("width", 1, kMaxDesktopDimension));
        state.height = static_cast<int>(fields.integer("height", 1, kMaxDesktopDimension));
    }
    return state;
}

std::string DesktopStreamState::encode() const {
    if (!error.empty())
        return nlohmann::json{{"type", "stream_state"}, {"stream", stream}, {"error", error}}.dump();
    return nlohmann::json{{"type", "stream_state"}, {"stream", stream}, {"monitor", monitor},
                          {"codec", codec},         {"x", x},           {"y", y},
                          {"width", width},         {"height", height}}
        .dump();
}

std::optional<DesktopKeyframeRequest> DesktopKeyframeRequest::from(const nlohmann::json& control) {
    if (!isControlType(control, "keyframe"))
        return std::nullopt;
    return DesktopKeyframeRequest{streamOf(MessageFields(control, "keyframe"))};
}

std::string DesktopKeyframeRequest::encode() const {
    return nlohmann::json{{"type", "keyframe"}, {"stream", stream}}.dump();
}

std::optional<DesktopAck> DesktopAck::from(const nlohmann::json& control) {
    if (!isControlType(control, "ack"))
        return std::nullopt;
    const MessageFields fields(control, "ack");
    DesktopAck ack;
    ack.stream = streamOf(fields);
    ack.sequence = static_cast<std::uint64_t>(fields.integer("sequence", 0, std::int64_t{1} << 53));
    ack.decodeMicros = static_cast<int>(fields.integer("decode_us", 0, 60'000'000));
    ack.queued = static_cast<int>(fields.integer("queued", 0, 1'000'000));
    return ack;
}

std::string DesktopAck::encode() const {
    return nlohmann::json{{"type", "ack"},
                          {"stream", stream},
                          {"sequence", sequence},
                          {"decode_us", decodeMicros},
                          {"queued", queued}}
        .dump();
}

std::optional<DesktopCursor> DesktopCursor::from(const nlohmann::json& control) {
    if (!isControlType(control, "cursor"))
        return std::nullopt;
    const MessageFields fields(control, "cursor");
    DesktopCursor cursor;
    cursor.x = static_cast<int>(fields.integer("x", -kMaxCoordinate, kMaxCoordinate));
    cursor.y = static_cast<int>(fields.integer("y", -kMaxCoordinate, kMaxCoordinate));
    cursor.visible = fields.boolean("visible", true);
    return cursor;
}

std::string DesktopCursor::encode() const {
    return nlohmann::json{{"type", "cursor"}, {"x", x}, {"y", y}, {"visible", visible}}.dump();
}

std::optional<DesktopClipboard> DesktopClipboard::from(const nlohmann::json& control) {
    if (!isControlType(control, "clipboard"))
        return std::nullopt;
    // Clipboard text is kept as it is (tabs, newlines, any character but NUL): the technician copied it.
    return DesktopClipboard{
        MessageFields(control, "clipboard").string("text", kMaxClipboardBytes, Text::Verbatim)};
}

std::string DesktopClipboard::encode() const {
    return nlohmann::json{{"type", "clipboard"}, {"text", text}}.dump();
}

std::optional<DesktopStreamStats> DesktopStreamStats::from(const nlohmann::json& control) {
    if (!isControlType(control, "stream_stats"))
        return std::nullopt;
    const MessageFields fields(control, "stream_stats");
    DesktopStreamStats stats;
    stats.stream = streamOf(fields);
    stats.fps = fields.number("fps", 0, 1000);
    stats.kbps = static_cast<int>(fields.integer("kbps", 0, 10'000'000));
    stats.targetKbps = static_cast<int>(fields.integer("target_kbps", 0, 10'000'000));
    stats.encodeMs = fields.number("encode_ms", 0, 60'000);
    stats.roundTripMs = fields.number("round_trip_ms", 0, 600'000);
    stats.skipped = static_cast<int>(fields.integer("skipped", 0, 1'000'000));
    return stats;
}

std::string DesktopStreamStats::encode() const {
    return nlohmann::json{{"type", "stream_stats"},
                          {"stream", stream},
                          {"fps", fps},
                          {"kbps", kbps},
                          {"target_kbps", targetKbps},
                          {"encode_ms", encodeMs},
                          {"round_trip_ms", roundTripMs},
                          {"skipped", skipped}}
        .dump();
}

} // namespace breeze::protocol
