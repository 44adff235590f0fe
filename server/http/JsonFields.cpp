#include "http/JsonFields.h"

#include "encoding/AsciiCase.h"
#include "encoding/Uuid.h"
#include "http/ApiError.h"

namespace breeze::server {

namespace {
bool isValidName(const std::string& value) {
    if (value.empty() || value.front() == ' ' || value.back() == ' ')
        return false;
    for (unsigned char c : value) {
        if (c < 0x20 || c == 0x7F)
            return false;
    }
    return true;
}

// Length in code points: nlohmann has already validated the UTF-8.
std::size_t characters(const std::string& value) {
    std::size_t count = 0;
    for (unsigned char c : value)
        count += (c & 0xC0) != 0x80;
    return count;
}
} // namespace

bool isUuid(const std::string& text) {
    return encoding::isUuid(encoding::lowerAscii(text));
}

JsonFields::JsonFields(const nlohmann::json& body) : m_body(body) {
    if (!m_body.is_object())
        throw ApiError::badRequest("the request body must be a JSON object");
}

const nlohmann::json* JsonFields::find(const std::string& key) {
    m_known.insert(key);
    const auto it = m_body.find(key);
    if (it == m_body.end() || it->is_null())
        return nullptr;
    return &*it;
}

std::optional<std::string> JsonFields::optionalString(const std::string& key, std::size_t minLength,
                                                      std::size_t maxLength) {
    const auto* value = find(key);
    if (!value)
        return std::nullopt;
    if (!value->is_string())
        throw ApiError::badRequest("\"" + key + "\" must be a string");
    const auto& text = value->get_ref<const std::string&>();
    const auto length = characters(text);
    if (length < minLength || length > maxLength)
        throw ApiError::badRequest("\"" + key + "\" must be " + std::to_string(minLength) + " to " +
                                   std::to_string(maxLength) + " characters long");
    return text;
}

std::string JsonFields::requiredString(const std::string& key, std::size_t minLength, std::size_t maxLength) {
    auto value = optionalString(key, minLength, maxLength);
    if (!value)
        throw ApiError::badRequest("\"" + key + "\" is required");
    return *value;
}

std::optional<std::string> JsonFields::optionalName(const std::string& key) {
    auto value = optionalString(key, 1, 200);
    if (value && !isValidName(*value))
        throw ApiError::badRequest("\"" + key +
                                   "\" must not contain control characters or start or end with a space");
    return value;
}

std::optional<std::vector<std::string>>
JsonFields::optionalNameList(const std::string& key, std::size_t maxItems, std::size_t maxCharacters) {
    auto names = optionalStringList(key, maxItems, maxCharacters * 4); // bytes: at most 4 per character
    if (!names)
        return std::nullopt;
    for (const auto& name : *names)
        if (!isValidName(name) || characters(name) > maxCharacters)
            throw ApiError::badRequest("\"" + key + "\" must hold names of 1 to " +
                                       std::to_string(maxCharacters) +
                                       " characters, without control characters or spaces at either end");
    return names;
}

std::string JsonFields::requiredName(const std::string& key) {
    auto value = optionalName(key);
    if (!value)
        throw ApiError::badRequest("\"" + key + "\" is required");
    return *value;
}

std::optional<std::string> JsonFields::optionalUuid(const std::string& key) {
    const auto* value = find(key);
    if (!value)
        return std::nullopt;
    if (!value->is_string() || !isUuid(value->get_ref<const std::string&>()))
        throw ApiError::badRequest("\"" + key + "\" must be an id (a UUID)");
    return value->get<std::string>();
}

std::optional<std::string> JsonFields::optionalUuidOrNull(const std::string& key) {
    m_known.insert(key);
    const auto it = m_body.find(key);
    if (it != m_body.end() && it->is_null())
        return std::string();
    return optionalUuid(key);
}

std::string JsonFields::requiredUuid(const std::string& key) {
    auto value = optionalUuid(key);
    if (!value)
        throw ApiError::badRequest("\"" + key + "\" is required");
    return *value;
}

std::optional<std::vector<std::string>> JsonFields::optionalUuidList(const std::string& key,
                                                                     std::size_t maxItems) {
    const auto* value = find(key);
    if (!value)
        return std::nullopt;
    if (!value->is_array() || value->size() > maxItems)
        throw ApiError::badRequest("\"" + key + "\" must be a list of at most " + std::to_string(maxItems) +
                                   " ids");
    std::vector<std::string> out;
    for (const auto& item : *value) {
        if (!item.is_string() || !isUuid(item.get_ref<const std::string&>()))
            throw ApiError::badRequest("\"" + key + "\" must contain only ids (UUIDs)");
        out.push_back(item.get<std::string>());
    }
    return out;
}

std::optional<std::vector<std::string>>
JsonFields::optionalStringList(const std::string& key, std::size_t maxItems, std::size_t maxLength) {
    const auto* value = find(key);
    if (!value)
        return std::nullopt;
    if (!value->is_array() || value->size() > maxItems)
        throw ApiError::badRequest("\"" + key + "\" must be a list of at most " + std::to_string(maxItems) +
                                   " strings");
    std::vector<std::string> out;
    for (const auto& item : *value) {
        if (!item.is_string() || item.get_ref<const std::string&>().size() > maxLength)
            throw ApiError::badRequest("\"" + key + "\" must contain strings of at most " +
                                       std::to_string(maxLength) + " characters");
        out.push_back(item.get<std::string>());
    }
    return out;
}

nlohmann::json JsonFields::optionalObject(const std::string& key) {
    const auto* value = find(key);
    if (!value)
        return nlohmann::json::object();
    if (!value->is_object())
        throw ApiError::badRequest("\"" + key + "\" must be an object");
    return *value;
}

std::optional<nlohmann::json> JsonFields::optionalArray(const std::string& key) {
    const auto* value = find(key);
    if (!value)
        return std::nullopt;
    if (!value->is_array())
        throw ApiError::badRequest("\"" + key + "\" must be an array");
    return *value;
}

std::optional<bool> JsonFields::optionalBool(const std::string& key) {
    const auto* value = find(key);
    if (!value)
        return std::nullopt;
    if (!value->is_boolean())
        throw ApiError::badRequest("\"" + key + "\" must be true or false");
    return value->get<bool>();
}

std::optional<long long> JsonFields::optionalInteger(const std::string& key, long long min, long long max) {
    const auto* value = find(key);
    if (!value)
        return std::nullopt;
    if (!value->is_number_integer())
        throw ApiError::badRequest("\"" + key + "\" must be an integer");
    const auto number = value->get<long long>();
    if (number < min || number > max)
        throw ApiError::badRequest("\"" + key + "\" must be between " + std::to_string(min) + " and " +
                                   std::to_string(max));
    return number;
}

std::optional<double> JsonFields::optionalNumber(const std::string& key, double min, double max) {
    const auto* value = find(key);
    if (!value)
        return std::nullopt;
    if (!value->is_number())
        throw ApiError::badRequest("\"" + key + "\" must be a number");
    const auto number = value->get<double>();
    if (!(number >= min && number <= max)) // NaN fails too
        throw ApiError::badRequest("\"" + key + "\" must be between " + std::to_string(min) + " and " +
                                   std::to_string(max));
    return number;
}

void JsonFields::finish() const {
    for (const auto& [key, value] : m_body.items()) {
        if (!m_known.contains(key))
            throw ApiError::badRequest("unknown field \"" + key.substr(0, 64) + "\"");
    }
}

} // namespace breeze::server
