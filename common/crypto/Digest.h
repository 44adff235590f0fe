#pragma once

#include <string>
#include <string_view>

namespace breeze::crypto {

// One-shot digests and MACs; results are raw bytes (encode with Hex or Base64 as needed).
class Digest {
public:
    static std::string sha256(std::string_view data);
    static std::string sha256Hex(std::string_view data);
    static std::string hmacSha1(std::string_view key, std::string_view data);
    static std::string hmacSha256(std::string_view key, std::string_view data);
    // Compares secrets in time independent of where they differ.
    static bool constantTimeEquals(std::string_view a, std::string_view b);
};

} // namespace breeze::crypto
