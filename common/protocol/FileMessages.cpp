#include "protocol/FileMessages.h"

#include <cstring>

namespace breeze::protocol {

std::string encodeFileChunk(std::uint32_t transfer, std::uint64_t offset, std::string_view data,
                            std::string_view sha256) {
    std::string out;
    out.reserve(kFileChunkHeaderBytes + data.size());
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<char>((transfer >> shift) & 0xFF));
    for (int shift = 56; shift >= 0; shift -= 8)
        out.push_back(static_cast<char>((offset >> shift) & 0xFF));
    out.append(sha256.substr(0, 32));
    out.resize(kFileChunkHeaderBytes, '\0');
    out.append(data);
    return out;
}

std::optional<FileChunk> decodeFileChunk(std::string_view payload) {
    if (payload.size() < kFileChunkHeaderBytes || payload.size() - kFileChunkHeaderBytes > kMaxFileChunkBytes)
        return std::nullopt;
    FileChunk chunk;
    for (std::size_t i = 0; i < 4; ++i)
        chunk.transfer = (chunk.transfer << 8) | static_cast<std::uint8_t>(payload[i]);
    for (std::size_t i = 4; i < 12; ++i)
        chunk.offset = (chunk.offset << 8) | static_cast<std::uint8_t>(payload[i]);
    std::memcpy(chunk.sha256.data(), payload.data() + 12, 32);
    chunk.data = payload.substr(kFileChunkHeaderBytes);
    return chunk;
}

} // namespace breeze::protocol
