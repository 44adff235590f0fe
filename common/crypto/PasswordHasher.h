#pragma once

#include <string>
#include <string_view>

namespace breeze::crypto {

// Argon2id password hashing (libsodium). The stored string carries its own salt and cost parameters, so costs
// can be raised later and old hashes still verify; `needsRehash` says when to upgrade on next login.
class PasswordHasher {
public:
    enum class Cost { Interactive, Moderate };

    explicit PasswordHasher(Cost cost = Cost::Interactive);

    std::string hash(std::string_view password) const;
    bool verify(std::string_view storedHash, std::string_view password) const;
    bool needsRehash(std::string_view storedHash) const;

private:
    unsigned long long m_opsLimit;
    std::size_t m_memLimit;
};

} // namespace breeze::crypto
