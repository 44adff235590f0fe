#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace breeze::encoding {

// Standard padded base64 (RFC 4648 section 4): raw bytes inside JSON, such as script output, which need not
// be UTF-8.
std::string base64Encode(std::string_view bytes);
std::optional<std::string> base64Decode(std::string_view text);

// URL-safe base64 without padding (section 5): tokens, cursors and key material that travel in URLs and
// headers.
std::string base64UrlEncode(std::string_view bytes);
std::optional<std::string> base64UrlDecode(std::string_view text);

} // namespace breeze::encoding
