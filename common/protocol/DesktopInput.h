#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// The payload of a DesktopInput stream frame, console -> agent: one input event, a few bytes.
//
//   pointer      [1][u8 stream][u16 x][u16 y][u8 buttons]   position within the stream's picture
//   wheel        [2][u8 stream][i16 dx][i16 dy]             1/120ths of a notch, as Qt reports them
//   key          [3][u32 keysym][u8 down]                   an X keysym, so the device's layout types it
//   release all  [4]                                        the viewer lost focus: let go of every key
//                                                           and button it holds
//
// Keys travel as keysyms (what the technician typed, not where the key is), so an 'é' typed on a French
// keyboard arrives as 'é' whatever the device's layout.
namespace breeze::protocol {

struct DesktopInput {
    enum class Type : std::uint8_t { Pointer = 1, Wheel = 2, Key = 3, ReleaseAll = 4 };
    enum Button : std::uint8_t { Left = 1, Middle = 2, Right = 4, Back = 8, Forward = 16 };
    static constexpr std::uint32_t kMaxKeysym = 0x1FFFFFFF; // X keysyms are 29 bits

    Type type = Type::Pointer;
    int stream = 0;
    int x = 0;
    int y = 0;
    std::uint8_t buttons = 0;
    int wheelX = 0;
    int wheelY = 0;
    std::uint32_t keysym = 0;
    bool down = false;

    static DesktopInput pointer(int stream, int x, int y, std::uint8_t buttons);
    static DesktopInput wheel(int stream, int dx, int dy);
    static DesktopInput key(std::uint32_t keysym, bool down);
    static DesktopInput releaseAll();
};

struct DesktopInputDecodeResult {
    std::optional<DesktopInput> input;
    std::string error;
    explicit operator bool() const { return input.has_value(); }
};

DesktopInputDecodeResult decodeDesktopInput(std::string_view payload);
std::string encodeDesktopInput(const DesktopInput& input);

} // namespace breeze::protocol
