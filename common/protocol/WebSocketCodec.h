#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace breeze::protocol {

enum class WsOpcode : std::uint8_t {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

// Who reads: a server requires masked frames from its clients (RFC 6455 §5.1), a client requires unmasked
// ones.
enum class WsRole { Server, Client };

struct WsMessage {
    WsOpcode opcode; // Text, Binary, Close, Ping or Pong; fragments arrive reassembled
    std::string payload;
};

// An incremental RFC 6455 frame reader for bytes from an untrusted peer. It never buffers more than one
// message plus one frame header: a frame that announces more than maxMessageBytes is refused before its
// payload arrives. No extensions are negotiated, so RSV bits are errors.
class WebSocketFrameReader {
public:
    WebSocketFrameReader(WsRole role, std::size_t maxMessageBytes);

    void feed(std::string_view bytes);
    // The next complete message, or nothing when more bytes are needed or the stream is broken (see
    // failed()).
    std::optional<WsMessage> next();
    bool failed() const { return !m_error.empty(); }
    const std::string& error() const { return m_error; }
    // Bytes held for an unfinished frame or message: what this connection currently costs in buffers.
    std::size_t bufferedBytes() const { return m_buffer.size() - m_offset + m_fragments.size(); }
    // Gives memory back once nothing is pending (an idle connection then holds no buffer at all).
    void releaseIdleBuffers();

private:
    std::optional<WsMessage> fail(std::string message);

    WsRole m_role;
    std::size_t m_maxMessageBytes;
    std::string m_buffer;
    std::size_t m_offset = 0;
    std::string m_fragments;
    std::optional<WsOpcode> m_fragmentOpcode;
    std::string m_error;
};

// One unfragmented frame. Clients must mask (maskKey is then used; pass fresh random bytes per frame).
std::string encodeWebSocketFrame(WsOpcode opcode, std::string_view payload,
                                 std::optional<std::uint32_t> maskKey = std::nullopt);
std::string encodeCloseFrame(std::uint16_t code, std::string_view reason,
                             std::optional<std::uint32_t> maskKey = std::nullopt);

// Close codes used on Breeze connections.
inline constexpr std::uint16_t kCloseNormal = 1000;
inline constexpr std::uint16_t kCloseGoingAway = 1001;
inline constexpr std::uint16_t kCloseProtocolError = 1002;
inline constexpr std::uint16_t kClosePolicyViolation = 1008;
inline constexpr std::uint16_t kCloseTooBig = 1009;
inline constexpr std::uint16_t kCloseTryAgainLater = 1013;
// Application codes (4000-4999): the device's credential no longer works; the agent must not hammer.
inline constexpr std::uint16_t kCloseRevoked = 4001;
inline constexpr std::uint16_t kCloseReplaced = 4002;
// A session relay connection: the device's agent went away; attach again once it is back.
inline constexpr std::uint16_t kCloseDeviceGone = 4010;
// A session relay connection: the same session was attached from another connection.
inline constexpr std::uint16_t kCloseAttachedElsewhere = 4011;

} // namespace breeze::protocol
