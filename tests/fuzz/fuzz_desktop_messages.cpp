// What flows in a desktop session: pictures (agent -> console), input events (console -> agent) and the
// desktop's control messages. Refusals carry a reason; what is accepted encodes back to the same bytes.
#include "ControlRoundTrip.h"
#include "protocol/DesktopControl.h"
#include "protocol/DesktopFrame.h"
#include "protocol/DesktopInput.h"
#include "protocol/MessageFields.h"
#include "protocol/TerminalControl.h"

#include <cstdint>
#include <cstdlib>

using namespace breeze::protocol;

namespace {
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
        controlRoundTrip<DesktopLayout>(control);
        controlRoundTrip<DesktopStreamRequest>(control);
        controlRoundTrip<DesktopStreamStop>(control);
        controlRoundTrip<DesktopStreamState>(control);
        controlRoundTrip<DesktopKeyframeRequest>(control);
        controlRoundTrip<DesktopAck>(control);
        controlRoundTrip<DesktopCursor>(control);
        controlRoundTrip<DesktopClipboard>(control);
        controlRoundTrip<DesktopStreamStats>(control);
    } catch (const MessageError& error) {
        refusalHasReason(error.what());
    }
    return 0;
}
