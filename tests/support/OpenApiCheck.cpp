#include "OpenApiCheck.h"

namespace breeze::test {

namespace {
// Enough of JSON Schema for OpenAPI 3.0 response bodies: $ref, type, nullable, enum, properties, required,
// additionalProperties: false, items. Returns "" when valid, else where and why not.
std::string validate(const nlohmann::json& value, const nlohmann::json& schema, const nlohmann::json& root,
                     const std::string& where) {
    if (schema.contains("$ref")) {
        const std::string ref = schema["$ref"];
        const std::string name = ref.substr(ref.rfind('/') + 1);
        return validate(value, root["components"]["schemas"][name], root, where);
    }
    if (value.is_null())
        return schema.value("nullable", false) ? "" : where + ": null is not allowed";
    const std::string type = schema.value("type", "");
    if (type == "object") {
        if (!value.is_object())
            return where + ": expected an object";
        for (const auto& required : schema.value("required", nlohmann::json::array()))
            if (!value.contains(required.get<std::string>()))
                return where + ": missing " + required.get<std::string>();
        const auto properties = schema.value("properties", nlohmann::json::object());
        for (const auto& [key, item] : value.items()) {
            if (properties.contains(key)) {
                if (auto error = validate(item, properties[key], root, where + "." + key); !error.empty())
                    return error;
            } else if (schema.contains("additionalProperties") && schema["additionalProperties"] == false) {
                return where + ": undocumented property " + key;
            }
        }
    } else if (type == "array") {
        if (!value.is_array())
            return where + ": expected an array";
        for (std::size_t i = 0; i < value.size(); ++i)
            if (auto error = validate(value[i], schema["items"], root, where + "[" + std::to_string(i) + "]");
                !error.empty())
                return error;
    } else if (type == "string" && !value.is_string()) {
        return where + ": expected a string";
    } else if (type == "integer" && !value.is_number_integer()) {
        return where + ": expected an integer";
    } else if (type == "boolean" && !value.is_boolean()) {
        return where + ": expected a boolean";
    }
    if (schema.contains("enum")) {
        bool found = false;
        for (const auto& option : schema["enum"])
            found = found || option == value;
        if (!found)
            return where + ": " + value.dump() + " is not one of " + schema["enum"].dump();
    }
    return "";
}
} // namespace

std::string openApiMismatch(const nlohmann::json& document, const std::string& method,
                            const std::string& pattern, const net::RestResponse& response) {
    if (!document.contains("paths") || !document["paths"].contains(pattern) ||
        !document["paths"][pattern].contains(method))
        return method + " " + pattern + " is not documented";
    const auto& operation = document["paths"][pattern][method];
    const std::string status = std::to_string(response.status);
    if (!operation["responses"].contains(status))
        return method + " " + pattern + " answered undocumented " + status;
    const auto& content = operation["responses"][status];
    if (!content.contains("content"))
        return "";
    const auto error = validate(response.body, content["content"]["application/json"]["schema"], document,
                                method + " " + pattern);
    return error.empty() ? "" : error + "\n" + response.raw.substr(0, 400);
}

} // namespace breeze::test
