#pragma once

#include "auth/Principal.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace breeze::server {

// Who a session or API key belongs to, remembered between requests so that most requests need one read of the
// auth epoch (migrations/0014) instead of a transaction of lookups. An entry is used only while the epoch it
// was loaded under is still current: any change to sessions, users, grants, roles or keys moves the epoch in
// the same transaction, so it reaches this cache, on every node, with the next request. Bounded; thread-safe.
class PrincipalCache {
public:
    struct Entry {
        Principal principal;
        std::int64_t epoch = 0;
        std::chrono::system_clock::time_point validUntil; // the session's or key's own end
        std::chrono::steady_clock::time_point lastUseRecorded;
    };

    explicit PrincipalCache(std::size_t capacity = 20'000) : m_capacity(capacity) {}

    // The entry for `key` when it was loaded under `epoch` and has not run out.
    std::optional<Entry> find(const std::string& key, std::int64_t epoch);
    void store(const std::string& key, Entry entry);
    // An API key's last use was written now (kept to the minute without a write per request).
    void noteUseRecorded(const std::string& key);
    std::size_t size() const;

private:
    std::size_t m_capacity;
    mutable std::mutex m_mutex;
    std::unordered_map<std::string, Entry> m_entries;
};

} // namespace breeze::server
