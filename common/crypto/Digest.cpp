#include "crypto/Digest.h"

#include "encoding/Hex.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdexcept>

namespace breeze::crypto {

namespace {
const unsigned char* asBytes(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}

std::string hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (!HMAC(md, key.data(), static_cast<int>(key.size()), asBytes(data), data.size(), out, &length))
        throw std::runtime_error("HMAC computation failed");
    return std::string(reinterpret_cast<char*>(out), length);
}
} // namespace

std::string Digest::sha256(std::string_view data) {
    unsigned char out[SHA256_DIGEST_LENGTH];
    SHA256(asBytes(data), data.size(), out);
    return std::string(reinterpret_cast<char*>(out), sizeof out);
}

std::string Digest::sha256Hex(std::string_view data) {
    return encoding::hexEncode(sha256(data));
}

std::string Digest::hmacSha1(std::string_view key, std::string_view data) {
    return hmac(EVP_sha1(), key, data);
}

std::string Digest::hmacSha256(std::string_view key, std::string_view data) {
    return hmac(EVP_sha256(), key, data);
}

bool Digest::constantTimeEquals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace breeze::crypto
