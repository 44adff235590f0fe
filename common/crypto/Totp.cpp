#include "crypto/Totp.h"

#include "crypto/Digest.h"

#include <cstdio>

namespace breeze::crypto {

namespace {
std::string percentEncode(std::string_view text) {
    std::string out;
    for (unsigned char c : text) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
            c == '.' || c == '_' || c == '~' || c == '@') {
            out.push_back(static_cast<char>(c));
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            out += buf;
        }
    }
    return out;
}
} // namespace

std::string Totp::codeForStep(std::string_view secret, std::int64_t step) {
    char counter[8];
    auto value = static_cast<std::uint64_t>(step);
    for (int i = 7; i >= 0; --i) {
        counter[i] = static_cast<char>(value & 0xFF);
        value >>= 8;
    }
    const std::string mac = Digest::hmacSha1(secret, std::string_view(counter, sizeof counter));
    const int offset = static_cast<unsigned char>(mac[19]) & 0x0F;
    const std::uint32_t binary =
        ((static_cast<std::uint32_t>(static_cast<unsigned char>(mac[offset])) & 0x7F) << 24) |
        (static_cast<std::uint32_t>(static_cast<unsigned char>(mac[offset + 1])) << 16) |
        (static_cast<std::uint32_t>(static_cast<unsigned char>(mac[offset + 2])) << 8) |
        static_cast<std::uint32_t>(static_cast<unsigned char>(mac[offset + 3]));
    char out[16];
    std::snprintf(out, sizeof out, "%06u", binary % 1000000u);
    return out;
}

std::optional<std::int64_t> Totp::matchingStep(std::string_view secret, std::string_view code,
                                               std::int64_t unixSeconds, int window) {
    if (code.size() != kDigits)
        return std::nullopt;
    const std::int64_t now = stepAt(unixSeconds);
    std::optional<std::int64_t> match;
    // Check every candidate so the time taken does not reveal which step matched.
    for (std::int64_t step = now - window; step <= now + window; ++step) {
        if (Digest::constantTimeEquals(codeForStep(secret, step), code) && !match)
            match = step;
    }
    return match;
}

std::string Totp::provisioningUri(std::string_view issuer, std::string_view account,
                                  std::string_view base32Secret) {
    const std::string enc = percentEncode(issuer);
    return "otpauth://totp/" + enc + ":" + percentEncode(account) + "?secret=" + std::string(base32Secret) +
           "&issuer=" + enc + "&algorithm=SHA1&digits=6&period=30";
}

} // namespace breeze::crypto
