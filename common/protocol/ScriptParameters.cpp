#include "protocol/ScriptParameters.h"

#include "protocol/MessageFields.h"
#include "protocol/ScriptRequest.h"

#include <cmath>
#include <set>

namespace breeze::protocol {

namespace {
const std::set<std::string>& parameterTypes() {
    static const std::set<std::string> types{"string", "number", "boolean", "choice", "secret"};
    return types;
}

bool hasControlCharacters(const std::string& text) {
    for (unsigned char c : text)
        if (c < 0x20 || c == 0x7f)
            return true;
    return false;
}

// A plain decimal number as people type it: optional sign, digits, optional fraction and exponent. Nothing
// that a shell or strtod would read differently (hex, inf, nan, spaces).
bool isDecimalNumber(const std::string& text) {
    std::size_t i = 0;
    if (i < text.size() && (text[i] == '-' || text[i] == '+'))
        ++i;
    std::size_t digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9')
        ++i, ++digits;
    if (i < text.size() && text[i] == '.') {
        ++i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9')
            ++i, ++digits;
    }
    if (digits == 0)
        return false;
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        if (i < text.size() && (text[i] == '-' || text[i] == '+'))
            ++i;
        std::size_t exponent = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9')
            ++i, ++exponent;
        if (exponent == 0)
            return false;
    }
    return i == text.size() && text.size() <= 64;
}

// The value as text for the environment; throws MessageError naming the parameter.
std::string checkedValue(const ScriptParameter& parameter, const nlohmann::json& value) {
    const std::string where = "parameter " + parameter.name;
    if (parameter.type == "number") {
        if (value.is_number()) {
            if (!std::isfinite(value.get<double>()))
                throw MessageError(where + " must be a number");
            return value.dump();
        }
        if (!value.is_string() || !isDecimalNumber(value.get<std::string>()))
            throw MessageError(where + " must be a number, not " +
                               (value.is_string() ? "\"" + value.get<std::string>().substr(0, 40) + "\""
                                                  : std::string(value.type_name())));
        return value.get<std::string>();
    }
    if (parameter.type == "boolean") {
        if (value.is_boolean())
            return value.get<bool>() ? "true" : "false";
        if (value.is_string()) {
            const auto& text = value.get_ref<const std::string&>();
            if (text == "true" || text == "yes" || text == "1")
                return "true";
            if (text == "false" || text == "no" || text == "0")
                return "false";
        }
        throw MessageError(where + " must be true or false");
    }
    if (!value.is_string())
        throw MessageError(where + " must be a string");
    const auto& text = value.get_ref<const std::string&>();
    if (text.size() > kMaxParameterValueBytes || text.find('\0') != std::string::npos)
        throw MessageError(where + " must be at most " + std::to_string(kMaxParameterValueBytes) +
                           " bytes without NUL characters");
    if (parameter.type == "choice") {
        for (const auto& choice : parameter.choices)
            if (choice == text)
                return text;
        std::string list;
        for (const auto& choice : parameter.choices)
            list += (list.empty() ? "" : ", ") + choice;
        throw MessageError(where + " must be one of: " + list);
    }
    return text;
}
} // namespace

std::vector<ScriptParameter> parseScriptParameters(const nlohmann::json& definitions) {
    if (!definitions.is_array())
        throw MessageError("parameters must be an array");
    if (definitions.size() > kMaxScriptParameters)
        throw MessageError("a script takes at most " + std::to_string(kMaxScriptParameters) + " parameters");
    std::vector<ScriptParameter> parameters;
    std::set<std::string> names;
    for (std::size_t i = 0; i < definitions.size(); ++i) {
        const std::string where = "parameters[" + std::to_string(i) + "]";
        if (!definitions[i].is_object())
            throw MessageError(where + " must be an object");
        const MessageFields fields(definitions[i], where);
        for (const auto& [key, unused] : definitions[i].items())
            if (key != "name" && key != "type" && key != "label" && key != "description" &&
                key != "required" && key != "default" && key != "choices")
                throw MessageError(where + " has an unknown field \"" + key + "\"");
        ScriptParameter parameter;
        parameter.name = fields.string("name", 64);
        if (!isValidParameterName(parameter.name))
            throw MessageError(where + ".name \"" + parameter.name +
                               "\" must be an environment variable name (letters, digits, _; not starting "
                               "with a digit; not PATH, HOME, LD_*, BREEZE_* or another reserved name)");
        if (!names.insert(parameter.name).second)
            throw MessageError(where + ".name " + parameter.name + " is used twice");
        parameter.type = fields.string("type", 16);
        if (!parameterTypes().contains(parameter.type))
            throw MessageError(where + ".type must be string, number, boolean, choice or secret");
        parameter.label = fields.stringOr("label", 200, "");
        parameter.description = fields.stringOr("description", 1000, "");
        if (hasControlCharacters(parameter.label))
            throw MessageError(where + ".label must not hold control characters");
        parameter.required = fields.boolean("required", false);
        if (parameter.type == "choice") {
            parameter.choices = fields.strings("choices", 100, 200);
            if (parameter.choices.empty())
                throw MessageError(where + ".choices must list at least one value");
            if (std::set<std::string>(parameter.choices.begin(), parameter.choices.end()).size() !=
                parameter.choices.size())
                throw MessageError(where + ".choices lists a value twice");
        } else if (fields.find("choices")) {
            throw MessageError(where + ".choices belongs to choice parameters only");
        }
        if (const nlohmann::json* fallback = fields.find("default"); fallback && !fallback->is_null()) {
            if (parameter.type == "secret")
                throw MessageError(where + " is a secret and cannot have a default (it would be stored in "
                                           "clear in the library)");
            parameter.defaultValue = checkedValue(parameter, *fallback);
        }
        parameters.push_back(std::move(parameter));
    }
    return parameters;
}

nlohmann::json scriptParametersJson(const std::vector<ScriptParameter>& parameters) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& parameter : parameters) {
        nlohmann::json item{{"name", parameter.name},
                            {"type", parameter.type},
                            {"label", parameter.label},
                            {"description", parameter.description},
                            {"required", parameter.required}};
        if (parameter.defaultValue)
            item["default"] = *parameter.defaultValue;
        if (parameter.type == "choice")
            item["choices"] = parameter.choices;
        items.push_back(std::move(item));
    }
    return items;
}

ResolvedParameters resolveScriptParameters(const std::vector<ScriptParameter>& parameters,
                                           const nlohmann::json& values) {
    if (!values.is_object())
        throw MessageError("parameters must be an object of name: value");
    for (const auto& [name, unused] : values.items()) {
        bool known = false;
        for (const auto& parameter : parameters)
            known = known || parameter.name == name;
        if (!known)
            throw MessageError("the script has no parameter named " + name.substr(0, 64));
    }
    ResolvedParameters resolved;
    for (const auto& parameter : parameters) {
        const auto given = values.find(parameter.name);
        std::optional<std::string> text;
        if (given != values.end() && !given->is_null())
            text = checkedValue(parameter, *given);
        else if (parameter.defaultValue)
            text = parameter.defaultValue;
        if (!text) {
            if (parameter.required)
                throw MessageError("parameter " + parameter.name + " is required");
            continue;
        }
        if (parameter.type == "secret") {
            resolved.secret.emplace_back(parameter.name, *text);
            resolved.redacted[parameter.name] = kRedacted;
        } else {
            resolved.plain.emplace_back(parameter.name, *text);
            resolved.redacted[parameter.name] = *text;
        }
    }
    return resolved;
}

} // namespace breeze::protocol
