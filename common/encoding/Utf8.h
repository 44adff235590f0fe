#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace breeze::encoding {

// Strict UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF).
bool isValidUtf8(std::string_view text);
// Appends one code point as UTF-8 (U+FFFD for a surrogate or a value past U+10FFFF).
void appendUtf8(std::string& out, std::uint32_t codePoint);

} // namespace breeze::encoding
