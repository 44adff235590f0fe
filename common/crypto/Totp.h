#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace breeze::crypto {

// RFC 6238 time-based one-time passwords (HMAC-SHA1, 30 s steps, 6 digits): what every authenticator app
// speaks.
class Totp {
public:
    static constexpr int kStepSeconds = 30;
    static constexpr int kDigits = 6;

    static std::int64_t stepAt(std::int64_t unixSeconds) { return unixSeconds / kStepSeconds; }
    static std::string codeForStep(std::string_view secret, std::int64_t step);
    static std::string codeAt(std::string_view secret, std::int64_t unixSeconds) {
        return codeForStep(secret, stepAt(unixSeconds));
    }
    // The step that `code` matches within ±window steps of `unixSeconds`, so the caller can refuse replays of
    // a step it has already accepted.
    static std::optional<std::int64_t> matchingStep(std::string_view secret, std::string_view code,
                                                    std::int64_t unixSeconds, int window = 1);
    static std::string provisioningUri(std::string_view issuer, std::string_view account,
                                       std::string_view base32Secret);
};

} // namespace breeze::crypto
