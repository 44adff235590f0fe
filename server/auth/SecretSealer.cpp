#include "auth/SecretSealer.h"

#include "crypto/SecureRandom.h"
#include "encoding/Base64.h"

#include <sodium.h>
#include <stdexcept>

namespace breeze::server {

namespace {
unsigned char* bytes(std::string& s) {
    return reinterpret_cast<unsigned char*>(s.data());
}
const unsigned char* bytes(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}
} // namespace

SecretSealer::SecretSealer(std::string key) : m_key(std::move(key)) {
    if (m_key.size() != crypto_secretbox_KEYBYTES)
        throw std::invalid_argument("sealing key must be 32 bytes");
}

std::string SecretSealer::seal(std::string_view plaintext) const {
    std::string nonce = crypto::SecureRandom::bytes(crypto_secretbox_NONCEBYTES);
    std::string box(plaintext.size() + crypto_secretbox_MACBYTES, '\0');
    crypto_secretbox_easy(bytes(box), bytes(plaintext), plaintext.size(), bytes(nonce), bytes(m_key));
    return "v1." + encoding::base64UrlEncode(nonce + box);
}

std::optional<std::string> SecretSealer::open(std::string_view sealed) const {
    if (!sealed.starts_with("v1."))
        return std::nullopt;
    auto raw = encoding::base64UrlDecode(sealed.substr(3));
    if (!raw || raw->size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        return std::nullopt;
    const std::string_view nonce(raw->data(), crypto_secretbox_NONCEBYTES);
    const std::string_view box(raw->data() + crypto_secretbox_NONCEBYTES,
                               raw->size() - crypto_secretbox_NONCEBYTES);
    std::string plain(box.size() - crypto_secretbox_MACBYTES, '\0');
    if (crypto_secretbox_open_easy(bytes(plain), bytes(box), box.size(), bytes(nonce), bytes(m_key)) != 0)
        return std::nullopt;
    return plain;
}

} // namespace breeze::server
