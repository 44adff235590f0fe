#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace breeze::server {

// Reads the fields of a request body with strict checks, answering 400 with the field's name and what it must
// be. `finish()` refuses fields nobody asked for, so a typo never passes silently.
class JsonFields {
public:
    explicit JsonFields(const nlohmann::json& body);
    JsonFields(nlohmann::json&&) = delete; // it keeps a reference: the body must outlive it

    std::string requiredString(const std::string& key, std::size_t minLength, std::size_t maxLength);
    std::optional<std::string> optionalString(const std::string& key, std::size_t minLength,
                                              std::size_t maxLength);
    // A display name: 1-200 characters, no control characters, no leading or trailing spaces.
    std::string requiredName(const std::string& key);
    std::optional<std::string> optionalName(const std::string& key);
    std::string requiredUuid(const std::string& key);
    std::optional<std::string> optionalUuid(const std::string& key);
    // Absent: nullopt; JSON null: an empty string (the caller clears the reference); else a checked UUID.
    std::optional<std::string> optionalUuidOrNull(const std::string& key);
    std::optional<std::vector<std::string>> optionalUuidList(const std::string& key, std::size_t maxItems);
    std::optional<std::vector<std::string>> optionalStringList(const std::string& key, std::size_t maxItems,
                                                               std::size_t maxLength);
    // Names as optionalName checks them (1 to maxCharacters characters each); nullopt when absent.
    std::optional<std::vector<std::string>> optionalNameList(const std::string& key, std::size_t maxItems,
                                                             std::size_t maxCharacters);
    std::optional<bool> optionalBool(const std::string& key);
    // A nested object, returned as is (its own reader checks it); an empty object when absent.
    nlohmann::json optionalObject(const std::string& key);
    // The same for a nested array: returned as is, nullopt when absent.
    std::optional<nlohmann::json> optionalArray(const std::string& key);
    std::optional<long long> optionalInteger(const std::string& key, long long min, long long max);
    // Any finite JSON number within [min, max].
    std::optional<double> optionalNumber(const std::string& key, double min, double max);
    // A field of any type, for one its own reader checks (a condition given as text or as an object); nullptr
    // when absent.
    const nlohmann::json* optionalAny(const std::string& key) { return find(key); }
    bool has(const std::string& key) const { return m_body.contains(key); }
    void finish() const;

private:
    const nlohmann::json* find(const std::string& key);

    const nlohmann::json& m_body;
    std::set<std::string> m_known;
};

bool isUuid(const std::string& text);

} // namespace breeze::server
