#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

// Network byte order for the binary frames' fixed-size fields.
namespace breeze::encoding {

template <typename Unsigned> void appendBigEndian(std::string& out, Unsigned value) {
    for (int shift = 8 * static_cast<int>(sizeof(Unsigned) - 1); shift >= 0; shift -= 8)
        out.push_back(static_cast<char>((value >> shift) & 0xFF));
}

// Reads sizeof(Unsigned) bytes at `at`; the caller has checked that they are there.
template <typename Unsigned> Unsigned readBigEndian(std::string_view bytes, std::size_t at) {
    Unsigned value = 0;
    for (std::size_t i = 0; i < sizeof(Unsigned); ++i)
        value = static_cast<Unsigned>((value << 8) | static_cast<std::uint8_t>(bytes[at + i]));
    return value;
}

} // namespace breeze::encoding
