#pragma once

#include "net/RestClient.h"

#include <nlohmann/json.hpp>
#include <string>

namespace breeze::test {

// Whether an answer is one the OpenAPI document promises for `method pattern`: a documented status, and a
// body that matches its schema (enough of JSON Schema for OpenAPI 3.0: $ref, type, nullable, enum,
// properties, required, additionalProperties: false, items). "" when it does, else where and why not.
std::string openApiMismatch(const nlohmann::json& document, const std::string& method,
                            const std::string& pattern, const net::RestResponse& response);

} // namespace breeze::test
