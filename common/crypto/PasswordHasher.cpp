#include "crypto/PasswordHasher.h"

#include <sodium.h>
#include <stdexcept>

namespace breeze::crypto {

PasswordHasher::PasswordHasher(Cost cost)
    : m_opsLimit(cost == Cost::Interactive ? crypto_pwhash_OPSLIMIT_INTERACTIVE
                                           : crypto_pwhash_OPSLIMIT_MODERATE),
      m_memLimit(cost == Cost::Interactive ? crypto_pwhash_MEMLIMIT_INTERACTIVE
                                           : crypto_pwhash_MEMLIMIT_MODERATE) {
    if (sodium_init() < 0)
        throw std::runtime_error("libsodium could not be initialised");
}

std::string PasswordHasher::hash(std::string_view password) const {
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, password.data(), password.size(), m_opsLimit, m_memLimit,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        throw std::runtime_error("out of memory while hashing a password");
    return out;
}

bool PasswordHasher::verify(std::string_view storedHash, std::string_view password) const {
    const std::string stored(storedHash); // libsodium needs a NUL-terminated string
    return crypto_pwhash_str_verify(stored.c_str(), password.data(), password.size()) == 0;
}

bool PasswordHasher::needsRehash(std::string_view storedHash) const {
    const std::string stored(storedHash);
    return crypto_pwhash_str_needs_rehash(stored.c_str(), m_opsLimit, m_memLimit) != 0;
}

} // namespace breeze::crypto
