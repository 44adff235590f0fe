#pragma once

#include "db/ScopedTransaction.h"

#include <string>

namespace breeze::server {

// Counts failed sign-ins in PostgreSQL (so every server node shares the counts), in three ways:
// - one account from one address: past its limit that address may not try that account for the window;
// - one address, any account: past its limit the address may not try anything;
// - one account from every address: past its limit the account is under a spread-out attack. Attempts are
// then
//   refused unchecked unless they come from an address the owner signed in from before, or carry a second
//   factor for an account that has one, so guessing slows to a few tries a window while the owner, with the
//   password and the authenticator, still gets in.
// Nothing any address does locks out an owner who has a second factor. An owner without one may be held off
// from new addresses while a spread-out attack lasts, and still gets in from addresses used before.
class LoginThrottle {
public:
    struct Limits {
        int windowSeconds;
        int accountAddressFailures;
        int addressFailures;
        int accountFailures;
    };
    struct Keys {
        std::string account;
        std::string address;
        std::string accountAtAddress;
        // `account` names the account as the database knows it ("user:<id>", or the folded e-mail of none).
        static Keys of(const std::string& account, const std::string& address);
    };
    struct Standing {
        int blockedSeconds = 0;          // this address is refused (for this account or for all)
        bool accountUnderAttack = false; // failures from everywhere passed the account's limit
    };

    explicit LoginThrottle(Limits limits) : m_limits(limits) {}

    Standing standing(ScopedTransaction& tx, const Keys& keys);
    void recordFailure(ScopedTransaction& tx, const Keys& keys);
    // An attempt refused unchecked counts only against the account, which so stays under attack while the
    // attack lasts; a blocked address is free again when its window ends, however often it knocked.
    void recordRefused(ScopedTransaction& tx, const Keys& keys);
    // The owner got in from here: this address's count for the account starts again. The account's count
    // does not, or an attacker would get a fresh budget each time the owner signs in.
    void recordSuccess(ScopedTransaction& tx, const Keys& keys);

private:
    void bump(ScopedTransaction& tx, const std::string& key, int limit);

    Limits m_limits;
};

} // namespace breeze::server
