#include "protocol/MessageFields.h"

#include "encoding/Utf8.h"

#include <cmath>
#include <cstdio>

namespace breeze::protocol {

namespace {
const nlohmann::json& emptyObject() {
    static const nlohmann::json empty = nlohmann::json::object();
    return empty;
}

// The code point starting at text[i] of valid UTF-8, and its length in bytes.
std::pair<char32_t, std::size_t> codePointAt(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
    const unsigned char lead = byte(0);
    if (lead < 0x80)
        return {lead, 1};
    if (lead < 0xE0)
        return {static_cast<char32_t>(((lead & 0x1Fu) << 6) | (byte(1) & 0x3Fu)), 2};
    if (lead < 0xF0)
        return {static_cast<char32_t>(((lead & 0x0Fu) << 12) | ((byte(1) & 0x3Fu) << 6) | (byte(2) & 0x3Fu)),
                3};
    return {static_cast<char32_t>(((lead & 0x07u) << 18) | ((byte(1) & 0x3Fu) << 12) |
                                  ((byte(2) & 0x3Fu) << 6) | (byte(3) & 0x3Fu)),
            4};
}

// C0 and C1 controls, DEL, the line and paragraph separators, and the bidirectional formatting characters
// that can make text read differently from what it is (the "Trojan Source" characters).
bool isHidden(char32_t c) {
    return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029 || c == 0x061C || c == 0x200E ||
           c == 0x200F || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}
} // namespace

std::string checkedText(std::string_view text, Text rule, const std::string& where) {
    if (text.find('\0') != std::string_view::npos)
        throw MessageError(where + " must not contain NUL characters");
    if (!encoding::isValidUtf8(text))
        throw MessageError(where + " must be valid UTF-8");
    if (rule == Text::Verbatim)
        return std::string(text);
    std::string result;
    bool changed = false;
    for (std::size_t i = 0; i < text.size();) {
        const auto [c, length] = codePointAt(text, i);
        const bool kept = !isHidden(c) || (rule == Text::Multiline && (c == '\n' || c == '\t'));
        if (kept) {
            if (changed)
                result.append(text.substr(i, length));
        } else if (rule == Text::Name) {
            throw MessageError(where + " must not contain control or bidirectional formatting characters");
        } else {
            if (!changed) {
                result.assign(text.substr(0, i));
                changed = true;
            }
            char visible[16];
            std::snprintf(visible, sizeof visible, "\\u{%04X}", static_cast<unsigned>(c));
            result += visible;
        }
        i += length;
    }
    return changed ? result : std::string(text);
}

nlohmann::json checkedJson(const nlohmann::json& value, Text rule, const std::string& where) {
    if (value.is_string())
        return checkedText(value.get_ref<const std::string&>(), rule, where);
    if (value.is_array()) {
        nlohmann::json items = nlohmann::json::array();
        for (std::size_t i = 0; i < value.size(); ++i)
            items.push_back(checkedJson(value[i], rule, where + "[" + std::to_string(i) + "]"));
        return items;
    }
    if (value.is_object()) {
        nlohmann::json object = nlohmann::json::object();
        for (const auto& [key, item] : value.items()) {
            const std::string name = checkedText(key, Text::Name, where + " key");
            object[name] = checkedJson(item, rule, where + "." + name);
        }
        return object;
    }
    return value;
}

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

std::optional<std::string> MessageFields::optionalString(std::string_view name, std::size_t maxBytes,
                                                         Text rule) const {
    const nlohmann::json* value = find(name);
    if (!value)
        return std::nullopt;
    if (!value->is_string())
        throw MessageError(where(name) + " must be a string");
    const auto& text = value->get_ref<const std::string&>();
    if (text.size() > maxBytes)
        throw MessageError(where(name) + " is longer than " + std::to_string(maxBytes) + " bytes");
    std::string checked = checkedText(text, rule, where(name));
    // Made visible, hidden characters take more room: the limit holds for what is stored.
    if (checked.size() > maxBytes)
        throw MessageError(where(name) + " is longer than " + std::to_string(maxBytes) +
                           " bytes once its control characters are shown");
    return checked;
}

std::string MessageFields::string(std::string_view name, std::size_t maxBytes, Text rule) const {
    auto value = optionalString(name, maxBytes, rule);
    if (!value)
        throw MessageError(where(name) + " is required");
    return *value;
}

std::string MessageFields::stringOr(std::string_view name, std::size_t maxBytes, std::string fallback,
                                    Text rule) const {
    return optionalString(name, maxBytes, rule).value_or(std::move(fallback));
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
                                                std::size_t maxBytes, Text rule) const {
    std::vector<std::string> items;
    const nlohmann::json* array = find(name);
    if (!array)
        return items;
    if (!array->is_array())
        throw MessageError(where(name) + " must be an array of strings");
    if (array->size() > maxItems)
        throw MessageError(where(name) + " has more than " + std::to_string(maxItems) + " items");
    for (std::size_t i = 0; i < array->size(); ++i) {
        const auto& element = (*array)[i];
        if (!element.is_string() || element.get_ref<const std::string&>().size() > maxBytes)
            throw MessageError(where(name) + " must hold strings of at most " + std::to_string(maxBytes) +
                               " bytes");
        items.push_back(checkedText(element.get_ref<const std::string&>(), rule,
                                    where(name) + "[" + std::to_string(i) + "]"));
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
