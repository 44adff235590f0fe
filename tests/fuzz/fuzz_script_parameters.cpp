// Script parameter definitions and run values from REST bodies, and run_script arguments from the server:
// anything is either accepted in a form that round-trips, or refused with a reason naming what is wrong.
#include "protocol/MessageFields.h"
#include "protocol/ScriptParameters.h"
#include "protocol/ScriptRequest.h"
#include "units/Units.h"

#include "json/BoundedJsonParser.h"
#include <cstdint>
#include <cstdlib>

using namespace breeze::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    breeze::json::JsonLimits limits;
    limits.maxBytes = 64 * breeze::kKiB;
    const auto parsed =
        breeze::json::parseBoundedJson(std::string_view(reinterpret_cast<const char*>(data), size), limits);
    if (!parsed || !parsed.value->is_object())
        return 0;
    const nlohmann::json& input = *parsed.value;
    try {
        const auto parameters = parseScriptParameters(input.value("parameters", nlohmann::json::array()));
        if (scriptParametersJson(parseScriptParameters(scriptParametersJson(parameters))) !=
            scriptParametersJson(parameters))
            std::abort();
        const auto resolved =
            resolveScriptParameters(parameters, input.value("values", nlohmann::json::object()));
        // Whatever was accepted is a valid environment for the agent.
        ScriptRequest request{"bash", "true", resolved.plain, ""};
        for (const auto& pair : resolved.secret)
            request.environment.push_back(pair);
        ScriptRequest::fromArgs(request.toArgs());
    } catch (const MessageError& error) {
        if (std::string(error.what()).empty())
            std::abort();
    }
    try {
        const auto request = ScriptRequest::fromArgs(input.value("args", nlohmann::json::object()));
        if (ScriptRequest::fromArgs(request.toArgs()).toArgs() != request.toArgs())
            std::abort();
    } catch (const MessageError& error) {
        if (std::string(error.what()).empty())
            std::abort();
    }
    return 0;
}
