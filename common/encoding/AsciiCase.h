#pragma once

#include <string>
#include <string_view>

namespace breeze::encoding {

// Lower-cases A-Z only: e-mail addresses, codes and tags compare this way whatever the process's locale, and
// bytes of multi-byte UTF-8 characters pass through untouched.
std::string lowerAscii(std::string_view text);

} // namespace breeze::encoding
