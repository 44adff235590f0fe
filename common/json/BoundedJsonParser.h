#pragma once

#include "units/Units.h"

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace breeze::json {

// Limits on a JSON document from an untrusted peer. Defaults suit REST bodies; protocol messages use their
// own.
struct JsonLimits {
    std::size_t maxBytes = 4 * kMiB;
    std::size_t maxDepth = 32;
    std::size_t maxValues = 200'000;
    std::size_t maxStringBytes = kMiB;
};

struct JsonParseResult {
    std::optional<nlohmann::json> value;
    std::string error; // a sentence for the peer when value is empty
    bool tooLarge = false;

    explicit operator bool() const { return value.has_value(); }
};

// Parses untrusted JSON strictly: UTF-8 only, no duplicate keys, no trailing data, and bounded size, depth
// and element count, so a hostile body costs at most a known amount of memory and stack.
JsonParseResult parseBoundedJson(std::string_view text, const JsonLimits& limits = {});

} // namespace breeze::json
