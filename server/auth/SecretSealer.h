#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace breeze::server {

// Encrypts small secrets the server must read back (TOTP seeds) with XSalsa20-Poly1305 (libsodium secretbox),
// so a copy of the database alone does not yield working second factors.
class SecretSealer {
public:
    explicit SecretSealer(std::string key); // 32 bytes

    std::string seal(std::string_view plaintext) const;
    std::optional<std::string> open(std::string_view sealed) const;

private:
    std::string m_key;
};

} // namespace breeze::server
