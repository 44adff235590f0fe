// REST bodies: any bytes either parse within the limits or are refused with a reason; never a crash or a
// hang.
#include "units/Units.h"

#include "json/BoundedJsonParser.h"
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    breeze::json::JsonLimits limits;
    limits.maxBytes = 64 * breeze::kKiB;
    limits.maxDepth = 32;
    limits.maxValues = 10'000;
    const auto result =
        breeze::json::parseBoundedJson(std::string_view(reinterpret_cast<const char*>(data), size), limits);
    if (!result && result.error.empty())
        std::abort(); // every refusal must say why
    if (result) {
        // What parsed must serialise and parse back to the same document.
        const auto again = breeze::json::parseBoundedJson(result.value->dump(), limits);
        if (!again || *again.value != *result.value)
            std::abort();
    }
    return 0;
}
