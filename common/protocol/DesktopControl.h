#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

// The SessionControl messages of a desktop session (JSON objects with a "type"; decodeSessionControl in
// TerminalControl.h reads the envelope). A session carries up to kMaxDesktopStreams picture streams, each
// of one monitor or of all of them, chosen and changed by the viewer.
namespace breeze::protocol {

// Text on the clipboard travels in one control message; more than this is refused by the sender.
inline constexpr std::size_t kMaxClipboardBytes = std::size_t{60} * 1024;

struct DesktopMonitor {
    std::string name; // XRandR's output name ("HDMI-1"), or "screen" when the display has no RandR
    int x = 0;
    int y = 0;
    int width = 0;
    int height = 0;
    bool primary = false;
    bool operator==(const DesktopMonitor&) const = default;
};

// agent -> console, on attach and whenever the monitors change: what can be shown and how.
struct DesktopLayout {
    std::vector<DesktopMonitor> monitors;
    std::vector<std::string> codecs; // what the agent encodes ("vp8", "h264")
    bool viewOnly = false;           // input from this session is ignored
    bool resumed = false;
    static std::optional<DesktopLayout> from(const nlohmann::json& control);
    std::string encode() const;
};

// How the agent trades sharpness for speed. Automatic follows the viewer's feedback.
enum class DesktopQuality { Automatic, Speed, Balanced, Quality };
const char* desktopQualityName(DesktopQuality quality);
std::optional<DesktopQuality> desktopQualityNamed(std::string_view name);

// console -> agent: start a stream (or change it: another monitor, codec or quality restarts it with a
// keyframe). `monitor` is a monitor's name, or "*" for all of them as one picture.
struct DesktopStreamRequest {
    int stream = 0;
    std::string monitor = "*";
    std::string codec = "vp8";
    DesktopQuality quality = DesktopQuality::Automatic;
    int maxFps = 30;
    static std::optional<DesktopStreamRequest> from(const nlohmann::json& control);
    std::string encode() const;
};

// console -> agent: the stream is no longer wanted.
struct DesktopStreamStop {
    int stream = 0;
    static std::optional<DesktopStreamStop> from(const nlohmann::json& control);
    std::string encode() const;
};

// agent -> console: a stream started (its picture's place and size on the remote desktop), or could not
// start or stopped (error says why).
struct DesktopStreamState {
    int stream = 0;
    std::string monitor;
    std::string codec;
    int x = 0;
    int y = 0;
    int width = 0;
    int height = 0;
    std::string error;
    static std::optional<DesktopStreamState> from(const nlohmann::json& control);
    std::string encode() const;
};

// console -> agent: the decoder lost its way (an error, a gap); the next picture should be a keyframe.
struct DesktopKeyframeRequest {
    int stream = 0;
    static std::optional<DesktopKeyframeRequest> from(const nlohmann::json& control);
    std::string encode() const;
};

// console -> agent: a picture was decoded; how long that took and how many wait to be decoded. The agent
// paces itself on these: it keeps few pictures unacknowledged, so on a slow link the newest one is what gets
// sent next and nothing queues.
struct DesktopAck {
    int stream = 0;
    std::uint64_t sequence = 0;
    int decodeMicros = 0;
    int queued = 0;
    static std::optional<DesktopAck> from(const nlohmann::json& control);
    std::string encode() const;
};

// agent -> console: where the pointer is on the remote desktop (whole-desktop coordinates).
struct DesktopCursor {
    int x = 0;
    int y = 0;
    bool visible = true;
    static std::optional<DesktopCursor> from(const nlohmann::json& control);
    std::string encode() const;
};

// both ways: text on the clipboard.
struct DesktopClipboard {
    std::string text;
    static std::optional<DesktopClipboard> from(const nlohmann::json& control);
    std::string encode() const;
};

// agent -> console, about once a second per stream: what the agent sees of the stream.
struct DesktopStreamStats {
    int stream = 0;
    double fps = 0;         // pictures sent per second
    int kbps = 0;           // encoded bits sent per second, / 1000
    int targetKbps = 0;     // what the rate control aims at
    double encodeMs = 0;    // capture to sendable, average
    double roundTripMs = 0; // sent to acknowledged, less the viewer's decode time
    int skipped = 0;        // captures not taken since the last report because the link was full
    static std::optional<DesktopStreamStats> from(const nlohmann::json& control);
    std::string encode() const;
};

} // namespace breeze::protocol
