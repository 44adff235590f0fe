#include "crypto/SecureRandom.h"

#include "encoding/Base64.h"

#include <sodium.h>
#include <stdexcept>

namespace breeze::crypto {

namespace {
void ensureSodium() {
    static const bool ready = sodium_init() >= 0;
    if (!ready)
        throw std::runtime_error("libsodium could not be initialised");
}
} // namespace

std::string SecureRandom::bytes(std::size_t count) {
    ensureSodium();
    std::string out(count, '\0');
    randombytes_buf(out.data(), out.size());
    return out;
}

std::string SecureRandom::token(std::size_t count) {
    return encoding::base64UrlEncode(bytes(count));
}

std::uint32_t SecureRandom::uniform(std::uint32_t upperBound) {
    ensureSodium();
    return randombytes_uniform(upperBound);
}

std::string SecureRandom::uuid() {
    std::string raw = bytes(16);
    raw[6] = static_cast<char>((raw[6] & 0x0F) | 0x40);
    raw[8] = static_cast<char>((raw[8] & 0x3F) | 0x80);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out.push_back('-');
        const auto byte = static_cast<unsigned char>(raw[i]);
        out.push_back(kHex[byte >> 4]);
        out.push_back(kHex[byte & 0x0F]);
    }
    return out;
}

} // namespace breeze::crypto
