#pragma once

#include <string_view>

namespace breeze::encoding {

// Strict UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF).
bool isValidUtf8(std::string_view text);

} // namespace breeze::encoding
