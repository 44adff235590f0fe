#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace breeze::protocol {

// A message that breaks its schema; the text names the field, for the error reply and the log.
class MessageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// What a string field may hold beyond valid UTF-8 without NUL, which no field may hold (PostgreSQL cannot
// store NUL in text or jsonb, and a screen cannot show it).
enum class Text {
    Name,      // an identifier or a name (host, user, package, interface): control and bidirectional
               // characters are refused, since nobody should have to guess what a name says
    Line,      // one line of free text for a screen (an OS name, a description, a path): control and
               // bidirectional characters are made visible as \u{XXXX}
    Multiline, // free text (an error message): tabs and newlines kept, other controls made visible
    Verbatim,  // content that is run rather than shown (a script from the server): kept as it is
};

// Checks one string against a rule; returns it as it may be stored (made visible where the rule says so) or
// throws MessageError naming `where`.
std::string checkedText(std::string_view text, Text rule, const std::string& where);
// Applies checkedText to every string and key inside a JSON value (Name for keys, `rule` for strings).
nlohmann::json checkedJson(const nlohmann::json& value, Text rule, const std::string& where);

// Reads the fields of one JSON object from a peer, checking type and range of each. Unknown fields are
// ignored so that a newer peer can add fields without breaking an older one; known fields are strict. Every
// string is checked by a Text rule, Line unless the caller names another.
class MessageFields {
public:
    MessageFields(const nlohmann::json& object, std::string context);

    std::string string(std::string_view name, std::size_t maxBytes, Text rule = Text::Line) const;
    std::optional<std::string> optionalString(std::string_view name, std::size_t maxBytes,
                                              Text rule = Text::Line) const;
    std::string stringOr(std::string_view name, std::size_t maxBytes, std::string fallback,
                         Text rule = Text::Line) const;
    std::int64_t integer(std::string_view name, std::int64_t min, std::int64_t max) const;
    std::optional<std::int64_t> optionalInteger(std::string_view name, std::int64_t min,
                                                std::int64_t max) const;
    std::uint64_t counter(std::string_view name) const; // unsigned byte/packet counts, 0 when absent
    double number(std::string_view name, double min, double max) const;
    bool boolean(std::string_view name, bool fallback) const;
    // An array of objects, each read by `read`, at most maxItems.
    template <typename Read> auto objects(std::string_view name, std::size_t maxItems, Read read) const {
        using Item = decltype(read(std::declval<const MessageFields&>()));
        std::vector<Item> items;
        const nlohmann::json* array = find(name);
        if (!array)
            return items;
        if (!array->is_array())
            throw MessageError(where(name) + " must be an array");
        if (array->size() > maxItems)
            throw MessageError(where(name) + " has more than " + std::to_string(maxItems) + " items");
        items.reserve(array->size());
        for (std::size_t i = 0; i < array->size(); ++i) {
            const auto& element = (*array)[i];
            if (!element.is_object())
                throw MessageError(where(name) + "[" + std::to_string(i) + "] must be an object");
            items.push_back(read(MessageFields(element, where(name) + "[" + std::to_string(i) + "]")));
        }
        return items;
    }
    std::vector<std::string> strings(std::string_view name, std::size_t maxItems, std::size_t maxBytes,
                                     Text rule = Text::Line) const;
    // A nested object (empty when absent).
    MessageFields object(std::string_view name) const;
    const nlohmann::json* find(std::string_view name) const;

private:
    std::string where(std::string_view name) const;

    const nlohmann::json& m_object;
    std::string m_context;
};

} // namespace breeze::protocol
