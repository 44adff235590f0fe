#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// File sessions: the data frames of transfers. Requests and answers are SessionControl messages (JSON with a
// "type" and the request's "id"); paths and names travel as base64 of their bytes, so names with newlines,
// leading dashes or bytes that are not UTF-8 arrive exactly. A FileChunk frame carries one piece of one
// transfer with its own SHA-256, so the receiver checks every chunk as it lands, keeps a manifest of those it
// has, and a transfer cut short resumes from there; the whole file's SHA-256 is checked at the end.
namespace breeze::protocol {

inline constexpr std::size_t kFileChunkHeaderBytes = 4 + 8 + 32;
inline constexpr std::uint32_t kDefaultFileChunkBytes = 256 * 1024;
inline constexpr std::uint32_t kMaxFileChunkBytes = 1024 * 1024;

struct FileChunk {
    std::uint32_t transfer = 0;
    std::uint64_t offset = 0;
    std::array<unsigned char, 32> sha256{};
    std::string_view data;
};

// `sha256`: the 32 raw bytes of the data's SHA-256 (the sender computes it; crypto is not the parser's).
std::string encodeFileChunk(std::uint32_t transfer, std::uint64_t offset, std::string_view data,
                            std::string_view sha256);
// None when malformed (shorter than its header, or more data than a chunk may carry). The receiver checks the
// data against `sha256`.
std::optional<FileChunk> decodeFileChunk(std::string_view payload);

} // namespace breeze::protocol
