// What flows in a desktop session: pictures (agent -> console), input events (console -> agent) and the
// desktop's control messages. Refusals carry a reason; what is accepted encodes back to the same bytes.
#include "protocol/DesktopControl.h"
#include "protocol/DesktopFrame.h"
#include "protocol/DesktopInput.h"
#include "protocol/MessageFields.h"
#include "protocol/TerminalControl.h"

#include <cstdint>
#include <cstdlib>

using namespace breeze::protocol;

namespace {
template <typename Message> void roundTrip(const nlohmann::json& control) {
    const auto message = Message::from(control);
    if (!message)
        return;
    const auto again = Message::from(decodeSessionControl(message->encode()));
    if (!again || again->encode() != message->encode())
        std::abort();
}

void refusalHasReason(const std::string& error) {
    if (error.empty())
        std::abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    if (const auto frame = decodeDesktopFrame(bytes)) {
        if (encodeDesktopFrame(*frame.frame) != bytes)
            std::abort();
        if (frame.frame->codec == DesktopCodec::Cursor && !cursorShapeOf(*frame.frame))
            std::abort();
    } else {
        refusalHasReason(frame.error);
    }
    if (const auto input = decodeDesktopInput(bytes)) {
        if (encodeDesktopInput(*input.input) != bytes)
            std::abort();
    } else {
        refusalHasReason(input.error);
    }
    try {
        const auto control = decodeSessionControl(bytes);
        roundTrip<DesktopLayout>(control);
        roundTrip<DesktopStreamRequest>(control);
        roundTrip<DesktopStreamStop>(control);
        roundTrip<DesktopStreamState>(control);
        roundTrip<DesktopKeyframeRequest>(control);
        roundTrip<DesktopAck>(control);
        roundTrip<DesktopCursor>(control);
        roundTrip<DesktopClipboard>(control);
        roundTrip<DesktopStreamStats>(control);
    } catch (const MessageError& error) {
        refusalHasReason(error.what());
    }
    return 0;
}
