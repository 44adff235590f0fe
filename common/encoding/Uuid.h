#pragma once

#include <string_view>

namespace breeze::encoding {

// A UUID in canonical text form: 8-4-4-4-12 hex digits, lower case (what PostgreSQL prints and our wire
// uses).
bool isUuid(std::string_view text);

} // namespace breeze::encoding
