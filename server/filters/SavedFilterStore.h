#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace breeze::server {

class ScopedTransaction;

// The SQL of a user's saved device filters. Every statement names the owner: a filter is only ever read,
// saved or deleted by the user it belongs to.
class SavedFilterStore {
public:
    explicit SavedFilterStore(ScopedTransaction& tx) : m_tx(tx) {}

    static constexpr long long kMostPerUser = 100;

    nlohmann::json list(const std::string& userId); // by name
    // How many the user has under other names than `name` (saving under it would add one only if new).
    long long countOthers(const std::string& userId, const std::string& name);
    // Saves under the name (replacing a filter of that name); the filter as listed.
    nlohmann::json save(const std::string& userId, const std::string& partnerId, const std::string& name,
                        const nlohmann::json& definition);
    bool remove(const std::string& userId, const std::string& id);

private:
    ScopedTransaction& m_tx;
};

} // namespace breeze::server
