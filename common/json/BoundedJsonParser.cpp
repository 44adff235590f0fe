#include "json/BoundedJsonParser.h"

#include <vector>

namespace breeze::json {

namespace {
using nlohmann::json;

// SAX handler that builds the document while enforcing the limits as it goes, so an over-deep or over-wide
// input is refused before it is materialised.
class BoundedBuilder {
public:
    explicit BoundedBuilder(const JsonLimits& limits) : m_limits(limits) {}

    bool null() { return add(json(nullptr)); }
    bool boolean(bool v) { return add(json(v)); }
    bool number_integer(json::number_integer_t v) { return add(json(v)); }
    bool number_unsigned(json::number_unsigned_t v) { return add(json(v)); }
    bool number_float(json::number_float_t v, const json::string_t&) { return add(json(v)); }
    bool string(json::string_t& v) {
        if (v.size() > m_limits.maxStringBytes)
            return fail("a string is longer than " + std::to_string(m_limits.maxStringBytes) + " bytes");
        return add(json(std::move(v)));
    }
    bool binary(json::binary_t&) { return fail("binary values are not accepted"); }
    bool start_object(std::size_t) { return open(json::object()); }
    bool end_object() { return close(); }
    bool start_array(std::size_t) { return open(json::array()); }
    bool end_array() { return close(); }
    bool key(json::string_t& k) {
        if (k.size() > m_limits.maxStringBytes)
            return fail("an object key is too long");
        if (m_stack.back()->contains(k))
            return fail("duplicate key \"" + k.substr(0, 64) + "\"");
        m_key = std::move(k);
        return true;
    }
    bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) {
        if (m_error.empty()) {
            std::string what = ex.what();
            const auto bracket = what.find("] ");
            m_error = bracket == std::string::npos ? what : what.substr(bracket + 2);
        }
        (void)position;
        return false;
    }

    json takeRoot() { return std::move(m_root); }
    const std::string& error() const { return m_error; }

private:
    bool fail(std::string message) {
        if (m_error.empty())
            m_error = std::move(message);
        return false;
    }

    json* place(json&& value) {
        if (++m_values > m_limits.maxValues) {
            fail("the document has more than " + std::to_string(m_limits.maxValues) + " values");
            return nullptr;
        }
        if (m_stack.empty()) {
            m_root = std::move(value);
            return &m_root;
        }
        json* parent = m_stack.back();
        if (parent->is_array()) {
            parent->push_back(std::move(value));
            return &parent->back();
        }
        json& slot = (*parent)[m_key];
        slot = std::move(value);
        return &slot;
    }

    bool add(json&& value) { return place(std::move(value)) != nullptr; }

    bool open(json&& container) {
        if (m_stack.size() >= m_limits.maxDepth)
            return fail("the document is nested deeper than " + std::to_string(m_limits.maxDepth) +
                        " levels");
        json* placed = place(std::move(container));
        if (!placed)
            return false;
        m_stack.push_back(placed);
        return true;
    }

    bool close() {
        m_stack.pop_back();
        return true;
    }

    const JsonLimits& m_limits;
    json m_root;
    std::vector<json*> m_stack;
    std::string m_key;
    std::size_t m_values = 0;
    std::string m_error;
};
} // namespace

JsonParseResult parseBoundedJson(std::string_view text, const JsonLimits& limits) {
    JsonParseResult result;
    if (text.size() > limits.maxBytes) {
        result.tooLarge = true;
        result.error = "the document is larger than " + std::to_string(limits.maxBytes) + " bytes";
        return result;
    }
    BoundedBuilder builder(limits);
    bool ok = false;
    try {
        ok = nlohmann::json::sax_parse(text.begin(), text.end(), &builder,
                                       nlohmann::json::input_format_t::json,
                                       /*strict=*/true);
    } catch (const nlohmann::json::exception& ex) {
        result.error = ex.what();
        return result;
    }
    if (!ok) {
        result.error = builder.error().empty() ? "malformed JSON" : builder.error();
        return result;
    }
    result.value = builder.takeRoot();
    return result;
}

} // namespace breeze::json
