#pragma once

#include <string>
#include <vector>

namespace breeze::server {

struct MigrationFile {
    int version;
    std::string name;
    std::string up;
    std::string down;
};

// The migrations/ folder as it was when this binary was built, in version order.
const std::vector<MigrationFile>& embeddedMigrations();

} // namespace breeze::server
