#pragma once

#include "units/Units.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace breeze::protocol {

// Kinds of binary stream frames multiplexed on one connection; channels are opened by control messages.
enum class StreamKind : std::uint8_t {
    TerminalData = 1,
    DesktopVideo = 2,
    DesktopInput = 3,
    FileChunk = 4,
    // A session's control message (JSON, at most kMaxSessionControlBytes), from console to agent or back.
    SessionControl = 5,
    // Credit: the sender may take this many more bytes (4-byte big-endian, > 0); see SessionMessages.h.
    Window = 6,
};

inline constexpr std::size_t kStreamHeaderBytes = 5;
inline constexpr std::size_t kMaxStreamPayloadBytes = 4 * kMiB;

// Binary frame: [u8 kind][u32 channel, big-endian][payload]. The payload view points into the decoded buffer.
struct StreamFrame {
    StreamKind kind;
    std::uint32_t channel;
    std::string_view payload;
};

struct StreamFrameDecodeResult {
    std::optional<StreamFrame> frame;
    std::string error;
    explicit operator bool() const { return frame.has_value(); }
};

StreamFrameDecodeResult decodeStreamFrame(std::string_view bytes);
std::string encodeStreamFrame(StreamKind kind, std::uint32_t channel, std::string_view payload);
// Rewrites the channel of an encoded frame in place (the relay's only change to a frame it passes on).
void setStreamChannel(std::string& frame, std::uint32_t channel);
// A Window frame's payload, and its value (none when malformed: not 4 bytes, or 0).
std::string encodeWindowIncrement(std::uint32_t bytes);
std::optional<std::uint32_t> decodeWindowIncrement(std::string_view payload);

} // namespace breeze::protocol
