#include "auth/MfaCredentials.h"

#include "crypto/Digest.h"
#include "crypto/SecureRandom.h"
#include "encoding/AsciiCase.h"
#include "encoding/Base32.h"

#include <algorithm>

namespace breeze::server {

namespace {
std::string normalise(const std::string& code) {
    std::string out;
    for (unsigned char c : code) {
        if (c != '-' && c != ' ')
            out.push_back(static_cast<char>(std::tolower(c)));
    }
    return out;
}
} // namespace

std::string MfaCredentials::newTotpSecret() {
    return crypto::SecureRandom::bytes(20);
}

std::vector<std::string> MfaCredentials::issueRecoveryCodes(ScopedTransaction& tx,
                                                            const std::string& userId) {
    tx.sql().exec_params("DELETE FROM recovery_codes WHERE user_id = $1", userId);
    std::vector<std::string> codes;
    for (int i = 0; i < kRecoveryCodeCount; ++i) {
        const std::string raw = // 80 bits, 16 characters
            encoding::lowerAscii(encoding::base32Encode(crypto::SecureRandom::bytes(10)));
        const std::string code =
            raw.substr(0, 4) + "-" + raw.substr(4, 4) + "-" + raw.substr(8, 4) + "-" + raw.substr(12, 4);
        tx.sql().exec_params("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)", userId,
                             crypto::Digest::sha256Hex(normalise(code)));
        codes.push_back(code);
    }
    return codes;
}

bool MfaCredentials::consumeRecoveryCode(ScopedTransaction& tx, const std::string& userId,
                                         const std::string& code) {
    const auto rows = tx.sql().exec_params(
        "UPDATE recovery_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL "
        "RETURNING 1",
        userId, crypto::Digest::sha256Hex(normalise(code)));
    return !rows.empty();
}

} // namespace breeze::server
