#include "auth/LoginThrottle.h"

#include "encoding/AsciiCase.h"

namespace breeze::server {

std::string LoginThrottle::accountKey(const std::string& email) {
    return "account:" + encoding::lowerAscii(email);
}

std::string LoginThrottle::addressKey(const std::string& address) {
    return "address:" + address;
}

int LoginThrottle::blockedFor(ScopedTransaction& tx, const std::string& account, const std::string& address) {
    const auto row = tx.sql().exec_params1(
        "SELECT coalesce(ceil(extract(epoch FROM max(blocked_until) - now()))::int, 0) FROM auth_throttle "
        "WHERE key IN ($1, $2) AND blocked_until > now()",
        account, address);
    return std::max(0, row[0].as<int>());
}

void LoginThrottle::bump(ScopedTransaction& tx, const std::string& key, int limit) {
    // A window that has run out starts again at one failure.
    tx.sql().exec_params(
        "INSERT INTO auth_throttle AS t (key, failures, window_started_at) VALUES ($1, 1, now()) "
        "ON CONFLICT (key) DO UPDATE SET "
        "failures = CASE WHEN t.window_started_at < now() - make_interval(secs => $2) THEN 1 ELSE t.failures "
        "+ 1 END, "
        "window_started_at = CASE WHEN t.window_started_at < now() - make_interval(secs => $2) THEN now() "
        "ELSE t.window_started_at END",
        key, m_windowSeconds);
    tx.sql().exec_params("UPDATE auth_throttle SET blocked_until = now() + make_interval(secs => $2) "
                         "WHERE key = $1 AND failures >= $3",
                         key, m_windowSeconds, limit);
}

void LoginThrottle::recordFailure(ScopedTransaction& tx, const std::string& account,
                                  const std::string& address) {
    bump(tx, account, m_accountLimit);
    bump(tx, address, m_addressLimit);
}

void LoginThrottle::clear(ScopedTransaction& tx, const std::string& key) {
    tx.sql().exec_params("DELETE FROM auth_throttle WHERE key = $1", key);
}

} // namespace breeze::server
