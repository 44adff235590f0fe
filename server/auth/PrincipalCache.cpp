#include "auth/PrincipalCache.h"

namespace breeze::server {

std::optional<PrincipalCache::Entry> PrincipalCache::find(const std::string& key, std::int64_t epoch) {
    std::lock_guard lock(m_mutex);
    const auto it = m_entries.find(key);
    if (it == m_entries.end())
        return std::nullopt;
    if (it->second.epoch != epoch || it->second.validUntil <= std::chrono::system_clock::now()) {
        m_entries.erase(it);
        return std::nullopt;
    }
    return it->second;
}

void PrincipalCache::store(const std::string& key, Entry entry) {
    std::lock_guard lock(m_mutex);
    if (m_entries.size() >= m_capacity && !m_entries.contains(key)) {
        // Full: entries of older epochs can never be used again; if none, start afresh (a miss costs one
        // lookup, and the bound holds whatever callers do).
        std::erase_if(m_entries, [&](const auto& item) { return item.second.epoch < entry.epoch; });
        if (m_entries.size() >= m_capacity)
            m_entries.clear();
    }
    m_entries[key] = std::move(entry);
}

void PrincipalCache::noteUseRecorded(const std::string& key) {
    std::lock_guard lock(m_mutex);
    if (const auto it = m_entries.find(key); it != m_entries.end())
        it->second.lastUseRecorded = std::chrono::steady_clock::now();
}

std::size_t PrincipalCache::size() const {
    std::lock_guard lock(m_mutex);
    return m_entries.size();
}

} // namespace breeze::server
