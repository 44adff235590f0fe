#include "pushes/FileBlobStore.h"

#include "crypto/Sha256Stream.h"
#include "db/ScopedTransaction.h"
#include "encoding/Hex.h"

#include <pqxx/pqxx>

namespace breeze::server {

std::optional<FileBlobStore::Blob> FileBlobStore::find(const Key& key, bool withChunks, bool lock) {
    // Locked for a completion (FOR UPDATE) or shared for a chunk (FOR SHARE): a chunk never lands while the
    // whole is being checked.
    const auto rows = m_tx.sql().exec_params(
        std::string(
            "SELECT size, chunk_bytes, complete FROM file_blobs WHERE partner_id = $1 AND owner_id = $2 "
            "AND sha256 = $3") +
            (lock         ? " FOR UPDATE"
             : withChunks ? ""
                          : " FOR SHARE"),
        key.partnerId, key.ownerId, key.sha256);
    if (rows.empty())
        return std::nullopt;
    Blob blob;
    blob.size = rows[0]["size"].as<std::uint64_t>();
    blob.chunkBytes = rows[0]["chunk_bytes"].as<int>();
    blob.complete = rows[0]["complete"].as<bool>();
    if (!withChunks)
        return blob;
    for (const auto& row : m_tx.sql().exec_params(
             "SELECT seq FROM file_blob_chunks WHERE partner_id = $1 AND owner_id = $2 AND sha256 = $3 "
             "ORDER BY seq",
             key.partnerId, key.ownerId, key.sha256))
        blob.have.push_back(row["seq"].as<int>());
    return blob;
}

FileBlobStore::Blob FileBlobStore::create(const Key& key, std::uint64_t size, int chunkBytes) {
    m_tx.sql().exec_params("INSERT INTO file_blobs (partner_id, owner_id, sha256, size, chunk_bytes) VALUES "
                           "($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                           key.partnerId, key.ownerId, key.sha256, size, chunkBytes);
    touch(key); // started again: an upload under way is not pruned as abandoned
    return *find(key);
}

void FileBlobStore::putChunk(const Key& key, int seq, const std::string& data) {
    m_tx.sql().exec_params(
        "INSERT INTO file_blob_chunks (partner_id, owner_id, sha256, seq, data) VALUES ($1, $2, $3, $4, $5) "
        "ON CONFLICT (partner_id, owner_id, sha256, seq) DO UPDATE SET data = excluded.data",
        key.partnerId, key.ownerId, key.sha256, seq, pqxx::binarystring(data));
}

std::string FileBlobStore::chunk(const Key& key, int seq) {
    const auto rows = m_tx.sql().exec_params("SELECT data FROM file_blob_chunks WHERE partner_id = $1 AND "
                                             "owner_id = $2 AND sha256 = $3 AND seq = $4",
                                             key.partnerId, key.ownerId, key.sha256, seq);
    if (rows.empty())
        return {};
    const pqxx::binarystring data(rows[0]["data"]);
    return data.str();
}

bool FileBlobStore::complete(const Key& key) {
    find(key, false, true);
    const auto blob = find(key);
    if (!blob)
        return false;
    if (blob->complete)
        return true;
    bool whole = blob->have.size() == blob->chunks();
    crypto::Sha256Stream hash;
    // A chunk at a time, so the check holds one chunk in memory however large the file.
    for (std::uint64_t seq = 0; whole && seq < blob->chunks(); ++seq) {
        const std::string data = chunk(key, static_cast<int>(seq));
        const std::uint64_t expected = std::min<std::uint64_t>(static_cast<std::uint64_t>(blob->chunkBytes),
                                                               blob->size - seq * blob->chunkBytes);
        whole = data.size() == expected;
        hash.update(data);
    }
    if (whole && encoding::hexEncode(hash.finish()) == key.sha256) {
        m_tx.sql().exec_params(
            "UPDATE file_blobs SET complete = true, last_used_at = now() WHERE partner_id = "
            "$1 AND owner_id = $2 AND sha256 = $3",
            key.partnerId, key.ownerId, key.sha256);
        return true;
    }
    m_tx.sql().exec_params(
        "DELETE FROM file_blob_chunks WHERE partner_id = $1 AND owner_id = $2 AND sha256 = $3", key.partnerId,
        key.ownerId, key.sha256);
    return false;
}

void FileBlobStore::touch(const Key& key) {
    m_tx.sql().exec_params(
        "UPDATE file_blobs SET last_used_at = now() WHERE partner_id = $1 AND owner_id = $2 AND sha256 = $3",
        key.partnerId, key.ownerId, key.sha256);
}

long long FileBlobStore::prune(int days) {
    // Pushes keep their record (the per-device results) after their copy has gone.
    return m_tx.sql()
        .exec_params(
            "WITH gone AS (DELETE FROM file_blobs b WHERE (b.last_used_at < now() - make_interval(days => "
            "$1) "
            "OR (NOT b.complete AND b.last_used_at < now() - interval '1 day')) "
            "AND NOT EXISTS (SELECT 1 FROM file_pushes p JOIN file_push_targets t ON t.push_id = p.id "
            "WHERE p.partner_id = b.partner_id AND p.owner_id = b.owner_id AND p.sha256 = b.sha256 "
            "AND t.state IN ('pending', 'running')) RETURNING 1) SELECT count(*) AS n FROM gone",
            days)[0]["n"]
        .as<long long>();
}

} // namespace breeze::server
