#pragma once

#include <cstdint>
#include <string>

namespace breeze::crypto {

// Cryptographically secure randomness (libsodium) for secrets, tokens and jitter that must not be guessable.
class SecureRandom {
public:
    static std::string bytes(std::size_t count);
    // `count` random bytes as URL-safe base64: the form every bearer secret takes on the wire.
    static std::string token(std::size_t count);
    // Uniform in [0, upperBound).
    static std::uint32_t uniform(std::uint32_t upperBound);
    // A random (version 4) UUID in its canonical lower-case text form.
    static std::string uuid();
};

} // namespace breeze::crypto
