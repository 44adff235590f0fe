#include "protocol/DesktopFrame.h"

#include "encoding/BigEndian.h"

namespace breeze::protocol {

using encoding::appendBigEndian;
using encoding::readBigEndian;

const char* desktopCodecName(DesktopCodec codec) {
    switch (codec) {
    case DesktopCodec::Vp8:
        return "vp8";
    case DesktopCodec::H264:
        return "h264";
    case DesktopCodec::Cursor:
        return "cursor";
    }
    return "unknown";
}

std::optional<DesktopCodec> desktopCodecNamed(std::string_view name) {
    if (name == "vp8")
        return DesktopCodec::Vp8;
    if (name == "h264")
        return DesktopCodec::H264;
    return std::nullopt;
}

DesktopFrameDecodeResult decodeDesktopFrame(std::string_view payload) {
    DesktopFrameDecodeResult result;
    const auto refuse = [&result](std::string why) {
        result.error = std::move(why);
        return result;
    };
    if (payload.size() <= kDesktopFrameHeaderBytes)
        return refuse("a desktop frame needs a " + std::to_string(kDesktopFrameHeaderBytes) +
                      "-byte header and data");
    DesktopFrame frame;
    frame.stream = static_cast<std::uint8_t>(payload[0]);
    if (frame.stream >= kMaxDesktopStreams)
        return refuse("desktop stream " + std::to_string(frame.stream) + " is out of range");
    frame.sequence = readBigEndian<std::uint64_t>(payload, 1);
    frame.captureMicros = readBigEndian<std::uint64_t>(payload, 9);
    frame.hostMicros = readBigEndian<std::uint32_t>(payload, 17);
    const auto codec = static_cast<std::uint8_t>(payload[21]);
    if (codec < static_cast<std::uint8_t>(DesktopCodec::Vp8) ||
        codec > static_cast<std::uint8_t>(DesktopCodec::Cursor))
        return refuse("unknown desktop codec " + std::to_string(codec));
    frame.codec = static_cast<DesktopCodec>(codec);
    frame.flags = static_cast<std::uint8_t>(payload[22]);
    if ((frame.flags & ~(DesktopFrame::Keyframe | DesktopFrame::Refinement)) != 0)
        return refuse("unknown desktop frame flags");
    frame.width = readBigEndian<std::uint16_t>(payload, 23);
    frame.height = readBigEndian<std::uint16_t>(payload, 25);
    const int limit = frame.codec == DesktopCodec::Cursor ? kMaxCursorDimension : kMaxDesktopDimension;
    if (frame.width < 1 || frame.height < 1 || frame.width > limit || frame.height > limit)
        return refuse("a desktop frame of " + std::to_string(frame.width) + "x" +
                      std::to_string(frame.height) + " is out of range");
    frame.data = payload.substr(kDesktopFrameHeaderBytes);
    if (frame.codec == DesktopCodec::Cursor && !cursorShapeOf(frame))
        return refuse("a cursor frame's data must be a hot spot inside it and width*height pixels");
    result.frame = frame;
    return result;
}

std::string encodeDesktopFrame(const DesktopFrame& frame) {
    std::string out;
    out.reserve(kDesktopFrameHeaderBytes + frame.data.size());
    out.push_back(static_cast<char>(frame.stream));
    appendBigEndian(out, frame.sequence);
    appendBigEndian(out, frame.captureMicros);
    appendBigEndian(out, frame.hostMicros);
    out.push_back(static_cast<char>(frame.codec));
    out.push_back(static_cast<char>(frame.flags));
    appendBigEndian(out, static_cast<std::uint16_t>(frame.width));
    appendBigEndian(out, static_cast<std::uint16_t>(frame.height));
    out.append(frame.data);
    return out;
}

std::optional<CursorShape> cursorShapeOf(const DesktopFrame& frame) {
    if (frame.codec != DesktopCodec::Cursor || frame.data.size() < 4)
        return std::nullopt;
    CursorShape shape;
    shape.hotX = readBigEndian<std::uint16_t>(frame.data, 0);
    shape.hotY = readBigEndian<std::uint16_t>(frame.data, 2);
    shape.argb = frame.data.substr(4);
    if (shape.hotX >= frame.width || shape.hotY >= frame.height ||
        shape.argb.size() !=
            static_cast<std::size_t>(frame.width) * static_cast<std::size_t>(frame.height) * 4)
        return std::nullopt;
    return shape;
}

std::string encodeCursorData(int hotX, int hotY, std::string_view argb) {
    std::string out;
    out.reserve(4 + argb.size());
    appendBigEndian(out, static_cast<std::uint16_t>(hotX));
    appendBigEndian(out, static_cast<std::uint16_t>(hotY));
    out.append(argb);
    return out;
}

} // namespace breeze::protocol
