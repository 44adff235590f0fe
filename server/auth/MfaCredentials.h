#pragma once

#include "db/ScopedTransaction.h"

#include <string>
#include <vector>

namespace breeze::server {

// TOTP seeds and one-time recovery codes: made here, stored sealed or hashed, checked here.
class MfaCredentials {
public:
    static constexpr int kRecoveryCodeCount = 10;

    static std::string newTotpSecret(); // raw bytes
    // Replaces every recovery code of the user; the plain codes are returned once and never stored.
    static std::vector<std::string> issueRecoveryCodes(ScopedTransaction& tx, const std::string& userId);
    // Marks the code used when it is valid and unused.
    static bool consumeRecoveryCode(ScopedTransaction& tx, const std::string& userId,
                                    const std::string& code);
};

} // namespace breeze::server
