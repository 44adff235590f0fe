// Binary stream frames (terminal, desktop, files): header checks and a lossless round trip.
#include "protocol/StreamFrame.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const auto decoded = breeze::protocol::decodeStreamFrame(bytes);
    if (!decoded)
        return decoded.error.empty() ? (std::abort(), 0) : 0;
    if (breeze::protocol::encodeStreamFrame(decoded.frame->kind, decoded.frame->channel,
                                            decoded.frame->payload) != bytes)
        std::abort();
    return 0;
}
