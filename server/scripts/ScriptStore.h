#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace breeze::server {

class Pagination;
class ScopedTransaction;

// What makes a version of a script: everything that changes what runs and how.
struct ScriptVersion {
    std::string language;
    std::vector<std::string> os;
    std::string content;
    nlohmann::json parameters = nlohmann::json::array();
    long long timeoutSeconds = 300;
    std::string runAs;
    std::string note;

    // The same script to run (the note is about a change, not part of one).
    bool operator==(const ScriptVersion& other) const {
        return language == other.language && os == other.os && content == other.content &&
               parameters == other.parameters && timeoutSeconds == other.timeoutSeconds &&
               runAs == other.runAs;
    }
};

// The SQL of the script library: scripts, their immutable versions, and lists of them. Columns are read by
// name.
class ScriptStore {
public:
    explicit ScriptStore(ScopedTransaction& tx) : m_tx(tx) {}

    struct Filter {
        std::optional<std::string> orgId, name, category, tag, language, search;
        std::optional<bool> partnerLibrary; // true: the partner-wide library only; false: organisations' only
    };
    // Scripts in the library (not deleted) within `scopeSql`, by name; without content.
    nlohmann::json list(const Filter& filter, const Pagination& pagination, const std::string& scopeSql);
    // The script with its current version's settings and content.
    nlohmann::json fetchWithContent(const std::string& scriptId);

    // Throws pqxx::unique_violation when the library already has that name.
    std::string insertScript(const std::string& partnerId, const std::optional<std::string>& orgId,
                             const std::string& name, const std::string& description,
                             const std::string& category, const std::string& tagsLiteral,
                             const std::string& createdBy);
    // Changes what is given; `currentVersion` becomes the current one. Throws pqxx::unique_violation on a
    // taken name.
    void updateScript(const std::string& scriptId, const std::optional<std::string>& name,
                      const std::optional<std::string>& description,
                      const std::optional<std::string>& category,
                      const std::optional<std::string>& tagsLiteral, int currentVersion);
    void setCurrentVersion(const std::string& scriptId, int version);
    // Out of the library, kept for the history of what ran.
    void markDeleted(const std::string& scriptId);

    // Locks the script, so that two saves at once make two versions one after the other; its current version.
    int lockCurrentVersion(const std::string& scriptId);
    std::optional<ScriptVersion> version(const std::string& scriptId, int number);
    struct Author {
        std::string label;
        std::string userId; // "" when not a user
    };
    void insertVersion(const std::string& scriptId, const std::string& partnerId,
                       const std::optional<std::string>& orgId, int number, const ScriptVersion& version,
                       std::optional<int> restoredFrom, const Author& author);
    nlohmann::json versions(const std::string& scriptId);
    std::optional<nlohmann::json> versionWithContent(const std::string& scriptId, int number);

private:
    ScopedTransaction& m_tx;
};

} // namespace breeze::server
