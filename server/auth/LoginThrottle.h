#pragma once

#include "db/ScopedTransaction.h"

#include <string>

namespace breeze::server {

// Counts failed sign-ins per account and per address in PostgreSQL (so every server node shares the counts).
// Past the limit within the window, the key is blocked for the rest of the window and callers answer 429.
class LoginThrottle {
public:
    LoginThrottle(int windowSeconds, int accountLimit, int addressLimit)
        : m_windowSeconds(windowSeconds), m_accountLimit(accountLimit), m_addressLimit(addressLimit) {}

    static std::string accountKey(const std::string& email);
    static std::string addressKey(const std::string& address);

    // Seconds until the earliest of the keys is free again, or 0 when none is blocked.
    int blockedFor(ScopedTransaction& tx, const std::string& accountKey, const std::string& addressKey);
    void recordFailure(ScopedTransaction& tx, const std::string& accountKey, const std::string& addressKey);
    void clear(ScopedTransaction& tx, const std::string& key);

private:
    void bump(ScopedTransaction& tx, const std::string& key, int limit);

    int m_windowSeconds;
    int m_accountLimit;
    int m_addressLimit;
};

} // namespace breeze::server
