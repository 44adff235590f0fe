#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// The payload of a DesktopVideo stream frame, agent -> console: one encoded picture of one of the session's
// streams (a monitor, or all of them), or the pointer's new shape.
//
//   [u8 stream][u64 sequence][u64 capture time, µs][u32 host time, µs][u8 codec][u8 flags]
//   [u16 width][u16 height][data]
//
// The capture time is the agent's monotonic clock when the picture was taken, so a viewer can tell how old
// each picture is relative to the others; the host time is how long the agent took from capture to sending
// (conversion and encoding). A cursor frame's data is [u16 hot x][u16 hot y] then width*height pixels of
// premultiplied ARGB, 32 bits each, big-endian.
namespace breeze::protocol {

enum class DesktopCodec : std::uint8_t { Vp8 = 1, H264 = 2, Cursor = 3 };
const char* desktopCodecName(DesktopCodec codec);
std::optional<DesktopCodec> desktopCodecNamed(std::string_view name); // video codecs only

inline constexpr std::size_t kDesktopFrameHeaderBytes = 1 + 8 + 8 + 4 + 1 + 1 + 2 + 2;
inline constexpr int kMaxDesktopStreams = 16;
inline constexpr int kMaxDesktopDimension = 16384;
inline constexpr int kMaxCursorDimension = 256;

struct DesktopFrame {
    enum Flag : std::uint8_t {
        Keyframe = 1,
        // The same picture again in better quality, sent once the screen stopped changing.
        Refinement = 2,
    };
    int stream = 0;
    std::uint64_t sequence = 0;
    std::uint64_t captureMicros = 0;
    std::uint32_t hostMicros = 0;
    DesktopCodec codec = DesktopCodec::Vp8;
    std::uint8_t flags = 0;
    int width = 0;
    int height = 0;
    std::string_view data; // points into the decoded payload

    bool keyframe() const { return (flags & Keyframe) != 0; }
};

struct DesktopFrameDecodeResult {
    std::optional<DesktopFrame> frame;
    std::string error;
    explicit operator bool() const { return frame.has_value(); }
};

DesktopFrameDecodeResult decodeDesktopFrame(std::string_view payload);
std::string encodeDesktopFrame(const DesktopFrame& frame);

// A cursor frame's picture, from its data.
struct CursorShape {
    int hotX = 0;
    int hotY = 0;
    std::string_view argb; // width*height big-endian premultiplied ARGB pixels
};
std::optional<CursorShape> cursorShapeOf(const DesktopFrame& frame);
std::string encodeCursorData(int hotX, int hotY, std::string_view argb);

} // namespace breeze::protocol
