#pragma once

#include "crypto/PasswordHasher.h"

#include <string>
#include <string_view>

namespace breeze::server {

// Argon2id for the server, refused inside a database transaction: a hash costs tens of milliseconds of CPU
// and memory, and inside a transaction it would hold a pooled connection (and any row locks) all that time,
// so a burst of sign-ins could starve every other request of connections.
class PasswordHashing {
public:
    std::string hash(std::string_view password) const;
    bool verify(std::string_view storedHash, std::string_view password) const;
    bool needsRehash(std::string_view storedHash) const { return m_hasher.needsRehash(storedHash); }

private:
    static void requireNoTransaction();

    crypto::PasswordHasher m_hasher;
};

} // namespace breeze::server
