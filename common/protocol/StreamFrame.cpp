#include "protocol/StreamFrame.h"

namespace breeze::protocol {

StreamFrameDecodeResult decodeStreamFrame(std::string_view bytes) {
    StreamFrameDecodeResult result;
    if (bytes.size() < kStreamHeaderBytes) {
        result.error = "a stream frame needs a 5-byte header";
        return result;
    }
    if (bytes.size() - kStreamHeaderBytes > kMaxStreamPayloadBytes) {
        result.error =
            "stream frame payload is larger than " + std::to_string(kMaxStreamPayloadBytes) + " bytes";
        return result;
    }
    const auto kind = static_cast<std::uint8_t>(bytes[0]);
    if (kind < static_cast<std::uint8_t>(StreamKind::TerminalData) ||
        kind > static_cast<std::uint8_t>(StreamKind::Window)) {
        result.error = "unknown stream kind " + std::to_string(kind);
        return result;
    }
    std::uint32_t channel = 0;
    for (int i = 1; i <= 4; ++i)
        channel = (channel << 8) | static_cast<std::uint8_t>(bytes[static_cast<std::size_t>(i)]);
    if (channel == 0) {
        result.error = "channel 0 is reserved";
        return result;
    }
    result.frame = StreamFrame{static_cast<StreamKind>(kind), channel, bytes.substr(kStreamHeaderBytes)};
    return result;
}

std::string encodeStreamFrame(StreamKind kind, std::uint32_t channel, std::string_view payload) {
    std::string out;
    out.reserve(kStreamHeaderBytes + payload.size());
    out.push_back(static_cast<char>(kind));
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<char>((channel >> shift) & 0xFF));
    out.append(payload);
    return out;
}

void setStreamChannel(std::string& frame, std::uint32_t channel) {
    if (frame.size() < kStreamHeaderBytes)
        return;
    for (std::size_t i = 0; i < 4; ++i)
        frame[1 + i] = static_cast<char>((channel >> (24 - 8 * i)) & 0xFF);
}

std::string encodeWindowIncrement(std::uint32_t bytes) {
    std::string out(4, '\0');
    for (std::size_t i = 0; i < 4; ++i)
        out[i] = static_cast<char>((bytes >> (24 - 8 * i)) & 0xFF);
    return out;
}

std::optional<std::uint32_t> decodeWindowIncrement(std::string_view payload) {
    if (payload.size() != 4)
        return std::nullopt;
    std::uint32_t value = 0;
    for (const char byte : payload)
        value = (value << 8) | static_cast<std::uint8_t>(byte);
    if (value == 0)
        return std::nullopt;
    return value;
}

} // namespace breeze::protocol
