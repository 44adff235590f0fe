#pragma once

#include <string>
#include <string_view>

namespace breeze::encoding {

// Lower-case hexadecimal, for digests stored in the database and shown in logs.
std::string hexEncode(std::string_view bytes);

} // namespace breeze::encoding
