#pragma once

#include <stdexcept>

namespace breeze::server {

// PostgreSQL cannot be reached or no connection is free: callers answer 503 and retry later.
class DatabaseUnavailable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace breeze::server
