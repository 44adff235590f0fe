#include "auth/LoginThrottle.h"

#include <algorithm>
#include <pqxx/pqxx>

namespace breeze::server {

LoginThrottle::Keys LoginThrottle::Keys::of(const std::string& account, const std::string& address) {
    return {"account:" + account, "address:" + address, "account-address:" + account + "|" + address};
}

LoginThrottle::Standing LoginThrottle::standing(ScopedTransaction& tx, const Keys& keys) {
    const auto rows = tx.sql().exec_params(
        "SELECT key, ceil(extract(epoch FROM blocked_until - now()))::int AS seconds_left FROM auth_throttle "
        "WHERE key IN ($1, $2, $3) AND blocked_until > now()",
        keys.account, keys.address, keys.accountAtAddress);
    Standing standing;
    for (const auto& row : rows) {
        if (row["key"].as<std::string>() == keys.account)
            standing.accountUnderAttack = true;
        else
            standing.blockedSeconds = std::max({standing.blockedSeconds, row["seconds_left"].as<int>(), 1});
    }
    return standing;
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
        key, m_limits.windowSeconds);
    tx.sql().exec_params("UPDATE auth_throttle SET blocked_until = now() + make_interval(secs => $2) "
                         "WHERE key = $1 AND failures >= $3",
                         key, m_limits.windowSeconds, limit);
}

void LoginThrottle::recordFailure(ScopedTransaction& tx, const Keys& keys) {
    bump(tx, keys.accountAtAddress, m_limits.accountAddressFailures);
    bump(tx, keys.address, m_limits.addressFailures);
    bump(tx, keys.account, m_limits.accountFailures);
}

void LoginThrottle::recordRefused(ScopedTransaction& tx, const Keys& keys) {
    bump(tx, keys.account, m_limits.accountFailures);
}

void LoginThrottle::recordSuccess(ScopedTransaction& tx, const Keys& keys) {
    tx.sql().exec_params("DELETE FROM auth_throttle WHERE key = $1", keys.accountAtAddress);
}

} // namespace breeze::server
