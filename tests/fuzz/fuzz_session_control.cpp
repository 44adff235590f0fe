// What a console or an agent sends through a session's relay: stream frames with their credit values, and
// SessionControl messages. Refusals carry a reason; what is accepted encodes back to an equal message.
#include "ControlRoundTrip.h"
#include "protocol/MessageFields.h"
#include "protocol/SessionMessages.h"
#include "protocol/StreamFrame.h"
#include "protocol/TerminalControl.h"

#include <cstdint>
#include <cstdlib>

using namespace breeze::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    if (const auto increment = decodeWindowIncrement(bytes);
        increment && encodeWindowIncrement(*increment) != bytes)
        std::abort();
    const auto frame = decodeStreamFrame(bytes);
    const std::string_view payload = frame ? frame.frame->payload : bytes;
    try {
        const auto control = decodeSessionControl(payload);
        if (!control.is_object() || !control["type"].is_string())
            std::abort();
        try {
            controlRoundTrip<TerminalResize>(control);
            controlRoundTrip<TerminalReady>(control);
            controlRoundTrip<TerminalEcho>(control);
            controlRoundTrip<SessionEnded>(control);
        } catch (const MessageError& error) {
            if (std::string(error.what()).empty())
                std::abort();
        }
    } catch (const MessageError& error) {
        if (std::string(error.what()).empty())
            std::abort();
    }
    return 0;
}
