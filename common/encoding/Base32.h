#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace breeze::encoding {

// RFC 4648 base32 (upper case, no padding on output), the alphabet authenticator apps expect for TOTP
// secrets.
std::string base32Encode(std::string_view bytes);
// Accepts upper or lower case, optional '=' padding and spaces; nullopt on any other character.
std::optional<std::string> base32Decode(std::string_view text);

} // namespace breeze::encoding
