// Control messages from agents and consoles: decode, and anything accepted must survive a round trip.
#include "protocol/Envelope.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto decoded =
        breeze::protocol::decodeEnvelope(std::string_view(reinterpret_cast<const char*>(data), size));
    if (!decoded) {
        if (decoded.error.empty())
            std::abort();
        return 0;
    }
    const auto again = breeze::protocol::decodeEnvelope(breeze::protocol::encodeEnvelope(*decoded.envelope));
    if (!again || again.envelope->type != decoded.envelope->type ||
        again.envelope->id != decoded.envelope->id || again.envelope->fields != decoded.envelope->fields)
        std::abort();
    return 0;
}
