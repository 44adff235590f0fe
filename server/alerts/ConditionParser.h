#pragma once

#include "alerts/ConditionSpec.h"

#include <string>

namespace breeze::server {

// Reads a condition as people write it: "offline for 1m", "cpu > 90% for 5m", "disk_free < 10% for 10m",
// "disk_free < 5GB on /var for 10m clear > 8GB healthy for 30m". Keywords are case-insensitive; a mount point
// with spaces is quoted. Without "healthy for", an alert clears after staying healthy as long as it had to
// be bad to fire (at most 10 minutes). Throws ConditionError saying what was expected where.
class ConditionParser {
public:
    static constexpr std::size_t kLongestExpression = 500;

    static ConditionSpec parse(const std::string& expression);
};

} // namespace breeze::server
