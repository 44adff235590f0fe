#include "crypto/SecureRandom.h"

#include "encoding/Base64Url.h"

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

} // namespace breeze::crypto
