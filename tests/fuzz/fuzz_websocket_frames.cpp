// WebSocket frames from an untrusted peer, fed in arbitrary pieces: never more than the limit buffered, every
// message within the limit, and a refused stream always says why.
#include "protocol/WebSocketCodec.h"

#include <cstdint>
#include <cstdlib>

using namespace breeze::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2)
        return 0;
    constexpr std::size_t kLimit = 4096;
    // The first byte picks the role and how the bytes are split into reads.
    const WsRole role = (data[0] & 1) ? WsRole::Server : WsRole::Client;
    const std::size_t chunk = 1 + (data[0] >> 1);
    WebSocketFrameReader reader(role, kLimit);
    const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    for (std::size_t offset = 0; offset < bytes.size(); offset += chunk) {
        reader.feed(bytes.substr(offset, chunk));
        while (auto message = reader.next()) {
            if (message->payload.size() > kLimit)
                std::abort();
            // What was read re-encodes to something the same reader reads back identically.
            if (message->opcode == WsOpcode::Text || message->opcode == WsOpcode::Binary) {
                WebSocketFrameReader again(role, kLimit);
                again.feed(encodeWebSocketFrame(
                    message->opcode, message->payload,
                    role == WsRole::Server ? std::optional<std::uint32_t>(0xA5A5A5A5u) : std::nullopt));
                const auto copy = again.next();
                if (!copy || copy->payload != message->payload || copy->opcode != message->opcode)
                    std::abort();
            }
        }
        if (reader.failed() && reader.error().empty())
            std::abort();
        if (reader.bufferedBytes() > kLimit + 2 * 4096UL + 14)
            std::abort();
    }
    return 0;
}
