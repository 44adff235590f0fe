#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace breeze::server {

class ScopedTransaction;

// The SQL of pushed files' single copies (migrations/0024): each kept once per uploader, keyed by its
// SHA-256, in chunks, and complete only once the whole has been checked against that hash.
class FileBlobStore {
public:
    explicit FileBlobStore(ScopedTransaction& tx) : m_tx(tx) {}

    struct Key {
        std::string partnerId, ownerId, sha256;
    };
    struct Blob {
        std::uint64_t size = 0;
        int chunkBytes = 0;
        bool complete = false;
        std::vector<int> have; // chunks stored, in order
        std::uint64_t chunks() const {
            return chunkBytes <= 0 ? 0 : (size + static_cast<std::uint64_t>(chunkBytes) - 1) / chunkBytes;
        }
    };

    // `withChunks`: which chunks it has (a query of its own); `lock`: held against chunks until the end of
    // the transaction (a completion); without chunks and lock, shared with other chunks' uploads.
    std::optional<Blob> find(const Key& key, bool withChunks = true, bool lock = false);
    // Made when it is not there yet; an existing one of another size is an error the caller reports.
    Blob create(const Key& key, std::uint64_t size, int chunkBytes);
    void putChunk(const Key& key, int seq, const std::string& data);
    std::string chunk(const Key& key, int seq);
    // Every chunk there, of the right sizes, and the whole hashing to its SHA-256: complete. Otherwise its
    // chunks are dropped (they are not that file) and false.
    bool complete(const Key& key);
    void touch(const Key& key);
    // Copies unused for `days` (unfinished uploads after a day) and wanted by no delivery still open; returns
    // how many went.
    long long prune(int days);

private:
    ScopedTransaction& m_tx;
};

} // namespace breeze::server
