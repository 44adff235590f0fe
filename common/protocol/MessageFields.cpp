#include "protocol/MessageFields.h"

#include <cmath>

namespace breeze::protocol {

namespace {
const nlohmann::json& emptyObject() {
    static const nlohmann::json empty = nlohmann::json::object();
    return empty;
}
} // namespace

MessageFields::MessageFields(const nlohmann::json& object, std::string context)
    : m_object(object.is_object() ? object : emptyObject()), m_context(std::move(context)) {
    if (!object.is_object())
        throw MessageError(m_context + " must be an object");
}

std::string MessageFields::where(std::string_view name) const {
    return m_context.empty() ? std::string(name) : m_context + "." + std::string(name);
}

const nlohmann::json* MessageFields::find(std::string_view name) const {
    const auto it = m_object.find(name);
    return it == m_object.end() || it->is_null() ? nullptr : &*it;
}

std::optional<std::string> MessageFields::optionalString(std::string_view name, std::size_t maxBytes) const {
    const nlohmann::json* value = find(name);
    if (!value)
        return std::nullopt;
    if (!value->is_string())
        throw MessageError(where(name) + " must be a string");
    const auto& text = value->get_ref<const std::string&>();
    if (text.size() > maxBytes)
        throw MessageError(where(name) + " is longer than " + std::to_string(maxBytes) + " bytes");
    return text;
}

std::string MessageFields::string(std::string_view name, std::size_t maxBytes) const {
    auto value = optionalString(name, maxBytes);
    if (!value)
        throw MessageError(where(name) + " is required");
    return *value;
}

std::string MessageFields::stringOr(std::string_view name, std::size_t maxBytes, std::string fallback) const {
    return optionalString(name, maxBytes).value_or(std::move(fallback));
}

std::optional<std::int64_t> MessageFields::optionalInteger(std::string_view name, std::int64_t min,
                                                           std::int64_t max) const {
    const nlohmann::json* value = find(name);
    if (!value)
        return std::nullopt;
    std::int64_t number = 0;
    if (value->is_number_integer()) {
        if (value->is_number_unsigned() && value->get<std::uint64_t>() > static_cast<std::uint64_t>(max))
            throw MessageError(where(name) + " must be at most " + std::to_string(max));
        number = value->get<std::int64_t>();
    } else {
        throw MessageError(where(name) + " must be an integer");
    }
    if (number < min || number > max)
        throw MessageError(where(name) + " must be between " + std::to_string(min) + " and " +
                           std::to_string(max));
    return number;
}

std::int64_t MessageFields::integer(std::string_view name, std::int64_t min, std::int64_t max) const {
    auto value = optionalInteger(name, min, max);
    if (!value)
        throw MessageError(where(name) + " is required");
    return *value;
}

std::uint64_t MessageFields::counter(std::string_view name) const {
    const nlohmann::json* value = find(name);
    if (!value)
        return 0;
    if (!value->is_number_unsigned() && !(value->is_number_integer() && value->get<std::int64_t>() >= 0))
        throw MessageError(where(name) + " must be a non-negative integer");
    const auto number = value->get<std::uint64_t>();
    // PostgreSQL's bigint is the storage; anything above it is not a real counter.
    if (number > static_cast<std::uint64_t>(INT64_MAX))
        throw MessageError(where(name) + " is out of range");
    return number;
}

double MessageFields::number(std::string_view name, double min, double max) const {
    const nlohmann::json* value = find(name);
    if (!value)
        throw MessageError(where(name) + " is required");
    if (!value->is_number())
        throw MessageError(where(name) + " must be a number");
    const double number = value->get<double>();
    if (!std::isfinite(number) || number < min || number > max)
        throw MessageError(where(name) + " must be between " + std::to_string(min) + " and " +
                           std::to_string(max));
    return number;
}

bool MessageFields::boolean(std::string_view name, bool fallback) const {
    const nlohmann::json* value = find(name);
    if (!value)
        return fallback;
    if (!value->is_boolean())
        throw MessageError(where(name) + " must be true or false");
    return value->get<bool>();
}

std::vector<std::string> MessageFields::strings(std::string_view name, std::size_t maxItems,
                                                std::size_t maxBytes) const {
    std::vector<std::string> items;
    const nlohmann::json* array = find(name);
    if (!array)
        return items;
    if (!array->is_array())
        throw MessageError(where(name) + " must be an array of strings");
    if (array->size() > maxItems)
        throw MessageError(where(name) + " has more than " + std::to_string(maxItems) + " items");
    for (const auto& element : *array) {
        if (!element.is_string() || element.get_ref<const std::string&>().size() > maxBytes)
            throw MessageError(where(name) + " must hold strings of at most " + std::to_string(maxBytes) +
                               " bytes");
        items.push_back(element.get<std::string>());
    }
    return items;
}

MessageFields MessageFields::object(std::string_view name) const {
    const nlohmann::json* value = find(name);
    if (!value)
        return MessageFields(emptyObject(), where(name));
    if (!value->is_object())
        throw MessageError(where(name) + " must be an object");
    return MessageFields(*value, where(name));
}

} // namespace breeze::protocol
