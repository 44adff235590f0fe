// Alert conditions from REST bodies and the CLI, as text people write or as canonical JSON: anything is
// either refused with a reason, or accepted in a form whose expression and JSON round-trip to the same
// condition.
#include "alerts/ConditionParser.h"

#include "json/BoundedJsonParser.h"
#include <cstdint>
#include <cstdlib>
#include <optional>

using namespace breeze::server;

namespace {
// What was accepted must read back the same both ways; a refusal here is a bug, not a rejected input.
void roundTrips(const ConditionSpec& spec) {
    try {
        const auto json = spec.toJson();
        if (ConditionSpec::fromJson(json).toJson() != json)
            std::abort();
        if (ConditionParser::parse(spec.expression()).toJson() != json)
            std::abort();
    } catch (...) {
        std::abort();
    }
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    std::optional<ConditionSpec> parsed;
    try {
        parsed = ConditionParser::parse(text);
    } catch (const ConditionError& error) {
        if (std::string(error.what()).empty())
            std::abort();
    }
    if (parsed)
        roundTrips(*parsed);
    breeze::json::JsonLimits limits;
    limits.maxBytes = std::size_t{16} * 1024;
    const auto json = breeze::json::parseBoundedJson(text, limits);
    if (!json || !json.value->is_object())
        return 0;
    std::optional<ConditionSpec> spec;
    std::optional<ConditionSpec> overridden;
    try {
        spec = ConditionSpec::fromJson(json.value->value("condition", *json.value));
        if (json.value->contains("override"))
            overridden = spec->withOverride((*json.value)["override"]);
    } catch (const ConditionError& error) {
        if (std::string(error.what()).empty())
            std::abort();
    }
    if (spec)
        roundTrips(*spec);
    if (overridden)
        roundTrips(*overridden);
    return 0;
}
