#include "auth/PasswordHashing.h"

#include "db/ScopedTransaction.h"

#include <stdexcept>

namespace breeze::server {

void PasswordHashing::requireNoTransaction() {
    if (ScopedTransaction::openInThisThread() > 0)
        throw std::logic_error("Argon2id called inside a database transaction");
}

std::string PasswordHashing::hash(std::string_view password) const {
    requireNoTransaction();
    return m_hasher.hash(password);
}

bool PasswordHashing::verify(std::string_view storedHash, std::string_view password) const {
    requireNoTransaction();
    return m_hasher.verify(storedHash, password);
}

} // namespace breeze::server
