// Alert conditions from REST bodies and the CLI, as text people write or as canonical JSON: anything is
// either refused with a reason, or accepted in a form whose expression and JSON round-trip to the same
// condition.
#include "alerts/ConditionParser.h"

#include "json/BoundedJsonParser.h"
#include <cstdint>
#include <cstdlib>

using namespace breeze::server;

namespace {
void roundTrips(const ConditionSpec& spec) {
    const auto json = spec.toJson();
    if (ConditionSpec::fromJson(json).toJson() != json)
        std::abort();
    if (ConditionParser::parse(spec.expression()).toJson() != json)
        std::abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        roundTrips(ConditionParser::parse(text));
    } catch (const ConditionError& error) {
        if (std::string(error.what()).empty())
            std::abort();
    }
    breeze::json::JsonLimits limits;
    limits.maxBytes = 16 * 1024;
    const auto parsed = breeze::json::parseBoundedJson(text, limits);
    if (!parsed || !parsed.value->is_object())
        return 0;
    try {
        const auto spec = ConditionSpec::fromJson(parsed.value->value("condition", *parsed.value));
        roundTrips(spec);
        if (parsed.value->contains("override"))
            roundTrips(spec.withOverride((*parsed.value)["override"]));
    } catch (const ConditionError& error) {
        if (std::string(error.what()).empty())
            std::abort();
    }
    return 0;
}
