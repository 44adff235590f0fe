#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace breeze::encoding {

// URL-safe base64 without padding: tokens, cursors and key material that travel in URLs and headers.
std::string base64UrlEncode(std::string_view bytes);
std::optional<std::string> base64UrlDecode(std::string_view text);

} // namespace breeze::encoding
