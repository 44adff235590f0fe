#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace breeze::server {

class ScopedTransaction;

// The SQL of a user's own credentials: what sign-in reads, the password, the TOTP secret and the profile the
// console shows. Sealed secrets stay sealed here; callers open them. Reads that precede a change lock the
// row, so concurrent requests cannot both spend one TOTP step or both replace one password.
class AccountStore {
public:
    explicit AccountStore(ScopedTransaction& tx) : m_tx(tx) {}

    // What sign-in needs of an account, read before the password is checked.
    struct SignInAccount {
        std::string userId, partnerId, passwordHash;
        bool mfaEnrolled = false;
        bool knownAddress = false; // the owner signed in from this address within 90 days
    };
    struct SignInLookup {
        std::string foldedEmail; // as PostgreSQL's lower() folds it, so no other spelling gets a fresh budget
        std::optional<SignInAccount> account;
    };
    SignInLookup lookUpSignIn(const std::string& email, const std::string& address);

    // The account as sign-in decides on it, locked; none when it was removed meanwhile.
    struct LockedSignIn {
        std::string passwordHash;
        std::optional<std::string> sealedTotp;
        std::int64_t lastTotpStep = 0;
        bool mfaRequired = false; // by the user's own setting or the partner's
        bool disabled = false;
    };
    std::optional<LockedSignIn> lockForSignIn(const std::string& userId);
    void spendTotpStep(const std::string& userId, std::int64_t step);
    void recordSignIn(const std::string& userId);

    struct Password {
        std::string hash, email;
    };
    Password password(const std::string& userId);
    // Applies only while the stored hash is still `expected`; false when it changed meanwhile.
    bool replacePassword(const std::string& userId, const std::string& hash, const std::string& expected);
    // A stronger hash of the same password, kept only while `expected` is still stored.
    void upgradePasswordHash(const std::string& userId, const std::string& hash, const std::string& expected);

    struct LockedMfa {
        std::optional<std::string> sealedSecret, sealedPending;
        std::int64_t lastStep = 0;
        bool required = false;
        std::string passwordHash, email;
    };
    LockedMfa lockMfa(const std::string& userId);
    void setPendingTotp(const std::string& userId, const std::string& sealedSecret);
    void activatePendingTotp(const std::string& userId);
    void removeTotp(const std::string& userId); // with its recovery codes

    std::string partnerName(const std::string& partnerId);
    struct Profile {
        std::string email, displayName;
        std::optional<std::string> homeOrgId;
        bool mfaEnabled = false, mfaRequired = false;
    };
    Profile profile(const std::string& userId);

private:
    ScopedTransaction& m_tx;
};

} // namespace breeze::server
