#include "protocol/DesktopInput.h"

#include "encoding/BigEndian.h"
#include "protocol/DesktopFrame.h"

namespace breeze::protocol {

using encoding::appendBigEndian;
using encoding::readBigEndian;

DesktopInput DesktopInput::pointer(int stream, int x, int y, std::uint8_t buttons) {
    DesktopInput input;
    input.type = Type::Pointer;
    input.stream = stream;
    input.x = x;
    input.y = y;
    input.buttons = buttons;
    return input;
}

DesktopInput DesktopInput::wheel(int stream, int dx, int dy) {
    DesktopInput input;
    input.type = Type::Wheel;
    input.stream = stream;
    input.wheelX = dx;
    input.wheelY = dy;
    return input;
}

DesktopInput DesktopInput::key(std::uint32_t keysym, bool down) {
    DesktopInput input;
    input.type = Type::Key;
    input.keysym = keysym;
    input.down = down;
    return input;
}

DesktopInput DesktopInput::releaseAll() {
    DesktopInput input;
    input.type = Type::ReleaseAll;
    return input;
}

DesktopInputDecodeResult decodeDesktopInput(std::string_view payload) {
    DesktopInputDecodeResult result;
    const auto refuse = [&result](std::string why) {
        result.error = std::move(why);
        return result;
    };
    if (payload.empty())
        return refuse("a desktop input frame is empty");
    const auto sized = [&](std::size_t bytes, const char* what) {
        if (payload.size() == bytes)
            return true;
        result.error = std::string("a desktop ") + what + " event is " + std::to_string(bytes) +
                       " bytes, not " + std::to_string(payload.size());
        return false;
    };
    const auto streamOk = [&](std::uint8_t stream) {
        if (stream < kMaxDesktopStreams)
            return true;
        result.error = "desktop stream " + std::to_string(stream) + " is out of range";
        return false;
    };
    DesktopInput input;
    switch (static_cast<std::uint8_t>(payload[0])) {
    case static_cast<std::uint8_t>(DesktopInput::Type::Pointer):
        if (!sized(7, "pointer") || !streamOk(static_cast<std::uint8_t>(payload[1])))
            return result;
        input = DesktopInput::pointer(
            static_cast<std::uint8_t>(payload[1]), readBigEndian<std::uint16_t>(payload, 2),
            readBigEndian<std::uint16_t>(payload, 4), static_cast<std::uint8_t>(payload[6]));
        if (input.buttons >= 32)
            return refuse("unknown desktop pointer buttons");
        break;
    case static_cast<std::uint8_t>(DesktopInput::Type::Wheel):
        if (!sized(6, "wheel") || !streamOk(static_cast<std::uint8_t>(payload[1])))
            return result;
        input = DesktopInput::wheel(static_cast<std::uint8_t>(payload[1]),
                                    static_cast<std::int16_t>(readBigEndian<std::uint16_t>(payload, 2)),
                                    static_cast<std::int16_t>(readBigEndian<std::uint16_t>(payload, 4)));
        break;
    case static_cast<std::uint8_t>(DesktopInput::Type::Key): {
        if (!sized(6, "key"))
            return result;
        const auto down = static_cast<std::uint8_t>(payload[5]);
        input = DesktopInput::key(readBigEndian<std::uint32_t>(payload, 1), down == 1);
        if (input.keysym == 0 || input.keysym > DesktopInput::kMaxKeysym)
            return refuse("a desktop key event needs an X keysym");
        if (down > 1)
            return refuse("a desktop key event is down (1) or up (0)");
        break;
    }
    case static_cast<std::uint8_t>(DesktopInput::Type::ReleaseAll):
        if (!sized(1, "release"))
            return result;
        input = DesktopInput::releaseAll();
        break;
    default:
        return refuse("unknown desktop input event " + std::to_string(static_cast<std::uint8_t>(payload[0])));
    }
    result.input = input;
    return result;
}

std::string encodeDesktopInput(const DesktopInput& input) {
    std::string out;
    out.push_back(static_cast<char>(input.type));
    switch (input.type) {
    case DesktopInput::Type::Pointer:
        out.push_back(static_cast<char>(input.stream));
        appendBigEndian(out, static_cast<std::uint16_t>(input.x));
        appendBigEndian(out, static_cast<std::uint16_t>(input.y));
        out.push_back(static_cast<char>(input.buttons));
        break;
    case DesktopInput::Type::Wheel:
        out.push_back(static_cast<char>(input.stream));
        appendBigEndian(out, static_cast<std::uint16_t>(static_cast<std::int16_t>(input.wheelX)));
        appendBigEndian(out, static_cast<std::uint16_t>(static_cast<std::int16_t>(input.wheelY)));
        break;
    case DesktopInput::Type::Key:
        appendBigEndian(out, input.keysym);
        out.push_back(static_cast<char>(input.down ? 1 : 0));
        break;
    case DesktopInput::Type::ReleaseAll:
        break;
    }
    return out;
}

} // namespace breeze::protocol
