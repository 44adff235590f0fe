#pragma once

#include <cstddef>

namespace breeze {

// Sizes and spans written as `64 * kKiB` or `7 * kSecondsPerDay`: the arithmetic happens in the wide type, so
// a limit can never overflow an int on its way to a size_t or a 64-bit count.
inline constexpr std::size_t kKiB = 1024;
inline constexpr std::size_t kMiB = 1024 * kKiB;
inline constexpr long long kSecondsPerDay = 86400;

} // namespace breeze
