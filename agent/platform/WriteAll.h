#pragma once

#include <string_view>

namespace breeze::agent {

// Writes all of `data` to `fd`, through short writes and EINTR; false on any other failure (errno tells why).
bool writeAll(int fd, std::string_view data);

} // namespace breeze::agent
