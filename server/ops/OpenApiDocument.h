#pragma once

#include <string>

namespace breeze::server {

// resources/openapi.json as built into the binary.
const std::string& openApiDocument();

} // namespace breeze::server
