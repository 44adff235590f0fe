#include "pushes/FilePushDeliverer.h"

#include "app/ServerContext.h"
#include "audit/AuditLog.h"
#include "crypto/Digest.h"
#include "crypto/SecureRandom.h"
#include "crypto/Sha256Stream.h"
#include "db/ScopedTransaction.h"
#include "encoding/Base64.h"
#include "encoding/Hex.h"
#include "net/FileSessionClient.h"
#include "net/TlsConnection.h"
#include "pushes/FileBlobStore.h"
#include "sessions/SessionStore.h"

#include <filesystem>
#include <fstream>
#include <iostream>

namespace breeze::server {

namespace {
constexpr int kDeliverers = 2;         // uploads at once on this node
constexpr int kLeaseSeconds = 15 * 60; // a delivery not finished by then is taken over
constexpr int kMostAttempts = 20;
constexpr int kLongestWaitSeconds = 300;
constexpr auto kRenewEvery = std::chrono::seconds(60);
constexpr auto kRound = std::chrono::seconds(2);
constexpr auto kStaleEvery = std::chrono::seconds(10);
constexpr int kBlobRetentionDays = 7;

// Failures a later try may cure: the device went away, the connection dropped, the node was busy.
bool transient(const std::string& code) {
    return code == "disconnected" || code == "ended" || code == "io_error" || code == "busy";
}
} // namespace

FilePushDeliverer::FilePushDeliverer(ServerContext& server, std::string caFile, std::string cacheDir)
    : m_server(server), m_caFile(std::move(caFile)), m_cacheDir(std::move(cacheDir)) {}

FilePushDeliverer::~FilePushDeliverer() {
    stop();
}

void FilePushDeliverer::start() {
    std::filesystem::create_directories(m_cacheDir);
    std::filesystem::permissions(m_cacheDir, std::filesystem::perms::owner_all);
    for (int i = 0; i < kDeliverers; ++i)
        m_threads.emplace_back([this, i] { loop(i == 0); });
}

void FilePushDeliverer::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    for (auto& thread : m_threads)
        if (thread.joinable())
            thread.join();
    m_threads.clear();
}

void FilePushDeliverer::loop(bool housekeeper) {
    auto lastPrune = std::chrono::steady_clock::now() - std::chrono::hours(1);
    auto lastStale = std::chrono::steady_clock::now() - kStaleEvery;
    while (true) {
        std::vector<FilePushStore::Claim> claims;
        try {
            auto lease = m_server.pool.acquire();
            ScopedTransaction tx(*lease, SystemAccess{"take a pushed file's delivery to a device held here"});
            FilePushStore pushes(tx);
            // Lines that may no longer run are never taken; saying so in their records can wait a little.
            if (housekeeper && std::chrono::steady_clock::now() - lastStale > kStaleEvery) {
                lastStale = std::chrono::steady_clock::now();
                pushes.failStale();
            }
            claims = pushes.claim(m_server.config.nodeUrl(), 1, kLeaseSeconds);
            tx.commit();
            if (housekeeper && std::chrono::steady_clock::now() - lastPrune > std::chrono::hours(1)) {
                lastPrune = std::chrono::steady_clock::now();
                auto pruneLease = m_server.pool.acquire();
                ScopedTransaction prune(*pruneLease, SystemAccess{"drop pushed files nobody needs any more"});
                FileBlobStore(prune).prune(kBlobRetentionDays);
                prune.commit();
                pruneCache();
            }
        } catch (const std::exception& error) {
            std::cerr << "file pushes: cannot take deliveries: " << error.what() << "\n";
        }
        for (const auto& claim : claims)
            deliver(claim);
        std::unique_lock lock(m_mutex);
        if (m_stopping)
            return;
        if (claims.empty()) {
            m_wake.wait_for(lock, kRound, [this] { return m_stopping; });
            if (m_stopping)
                return;
        }
    }
}

void FilePushDeliverer::pruneCache() {
    // Copies not used for as long as the server keeps them (each use touches its file).
    std::lock_guard lock(m_cacheMutex);
    std::error_code error;
    const auto oldest =
        std::filesystem::file_time_type::clock::now() - std::chrono::hours(24 * kBlobRetentionDays);
    for (const auto& entry : std::filesystem::recursive_directory_iterator(m_cacheDir, error))
        if (entry.is_regular_file(error) && entry.last_write_time(error) < oldest)
            std::filesystem::remove(entry.path(), error);
}

std::string FilePushDeliverer::cachedCopy(const FilePushStore::Claim& claim) {
    const std::filesystem::path folder = std::filesystem::path(m_cacheDir) / claim.partnerId / claim.ownerId;
    const std::filesystem::path file = folder / claim.sha256;
    std::lock_guard lock(m_cacheMutex);
    if (std::filesystem::exists(file) && std::filesystem::file_size(file) == claim.size) {
        std::filesystem::last_write_time(file, std::filesystem::file_time_type::clock::now());
        return file.string();
    }
    std::filesystem::create_directories(folder);
    const std::filesystem::path part = folder / (claim.sha256 + ".part");
    std::ofstream out(part, std::ios::binary | std::ios::trunc);
    crypto::Sha256Stream hash;
    const FileBlobStore::Key key{claim.partnerId, claim.ownerId, claim.sha256};
    std::uint64_t written = 0;
    // A chunk per transaction: a large file is never held in memory, nor one transaction open for long.
    for (int seq = 0; written < claim.size || (claim.size == 0 && seq == 0); ++seq) {
        auto lease = m_server.pool.acquire();
        ScopedTransaction tx(*lease, SystemAccess{"read a pushed file's copy"});
        const std::string data = FileBlobStore(tx).chunk(key, seq);
        tx.commit();
        if (data.empty())
            break;
        out.write(data.data(), static_cast<std::streamsize>(data.size()));
        hash.update(data);
        written += data.size();
    }
    out.close();
    if (!out || written != claim.size || encoding::hexEncode(hash.finish()) != claim.sha256) {
        std::filesystem::remove(part);
        throw net::FileSessionClient::Failure("copy_missing",
                                              "the server's copy of the file is gone or damaged");
    }
    std::filesystem::rename(part, file);
    return file.string();
}

void FilePushDeliverer::deliver(const FilePushStore::Claim& claim) {
    const auto slash = claim.path.rfind('/');
    const std::string folder = slash == 0 ? "/" : claim.path.substr(0, slash);
    const std::string name = claim.path.substr(slash + 1);
    // The session keeps to the pusher's role's folder and the file is named beneath it, so the device's
    // RESOLVE_BENEATH stops a link on the way that would lead out of it.
    const std::string beneath = claim.root == "/" ? claim.path : claim.path.substr(claim.root.size());
    const std::string token = "rs_" + encoding::base64UrlEncode(crypto::SecureRandom::bytes(32));
    std::string sessionId;
    const auto withTransaction = [this](const char* why, const auto& work) {
        auto lease = m_server.pool.acquire();
        ScopedTransaction tx(*lease, SystemAccess{why});
        work(tx);
        tx.commit();
    };
    AuditEvent event;
    event.partnerId = claim.partnerId;
    event.orgId = claim.orgId;
    event.actorType = claim.actorType;
    event.actorId = claim.ownerId;
    event.actorLabel = claim.actorLabel;
    event.address = "file push";
    event.resourceType = "remote_session";
    try {
        // The copy first: filling the cache can take longer than a session's token lives.
        const std::string local = cachedCopy(claim);
        withTransaction("open a file session to deliver a pushed file", [&](ScopedTransaction& tx) {
            SessionStore store(tx);
            SessionStore::NewSession session;
            session.partnerId = claim.partnerId;
            session.orgId = claim.orgId;
            session.siteId = claim.siteId;
            session.deviceId = claim.deviceId;
            session.kind = "files";
            if (claim.actorType == "user")
                session.userId = claim.ownerId;
            session.actorType = claim.actorType;
            session.actorId = claim.ownerId;
            session.actorLabel = claim.actorLabel;
            session.address = "file push";
            // The folder the file goes in, inside what the pusher's roles allowed there, and only to write.
            session.grants = {{"root", claim.root}, {"download", false}, {"upload", true}, {"remove", false}};
            session.tokenHash = crypto::Digest::sha256Hex(token);
            session.relayUrl = m_server.config.nodeUrl();
            sessionId = store.insert(session)["id"];
            FilePushStore(tx).setSession(claim, sessionId);
            event.action = "sessions.open";
            event.resourceId = sessionId;
            event.details = {{"kind", "files"},
                             {"device_id", claim.deviceId},
                             {"file_push", claim.pushId},
                             {"grants", session.grants}};
            AuditLog::record(tx, event);
        });
        const auto tls = net::makeClientSslContext(m_caFile);
        nlohmann::json answer;
        {
            net::FileSessionClient client(std::make_unique<net::RelayConnection>(
                SessionStore::relayWebSocketUrl(m_server.config.nodeUrl()), token, tls.get(),
                protocol::SessionKind::Files));
            auto renewed = std::chrono::steady_clock::now();
            answer = client.upload(local, beneath, claim.conflict, [&](std::uint64_t, std::uint64_t) {
                if (std::chrono::steady_clock::now() - renewed < kRenewEvery)
                    return;
                renewed = std::chrono::steady_clock::now();
                withTransaction("keep a long delivery's claim", [&](ScopedTransaction& tx) {
                    FilePushStore(tx).renewLease(claim, kLeaseSeconds);
                });
            });
        }
        const bool skipped = answer.value("skipped", false);
        const std::string written =
            answer.contains("name") ? encoding::base64Decode(answer.value("name", "")).value_or(name) : name;
        const std::string sha = answer.value("sha256", "");
        withTransaction("record a pushed file's delivery", [&](ScopedTransaction& tx) {
            FilePushStore pushes(tx);
            if (skipped)
                pushes.finish(claim, "skipped", "", "", "a file of that name was there; the push said skip");
            else if (sha == claim.sha256)
                pushes.finish(claim, "done", folder == "/" ? "/" + written : folder + "/" + written, sha, "");
            else
                pushes.finish(claim, "failed", "", sha, "the device's SHA-256 of the file is not the push's");
            SessionStore store(tx);
            store.markClosed(sessionId, "file push delivered", std::nullopt, 0,
                             0); // bytes: as the relay counted
            store.announceClosed(sessionId, "file push delivered");
        });
    } catch (const std::exception& error) {
        const auto* failure = dynamic_cast<const net::FileSessionClient::Failure*>(&error);
        const std::string code = failure ? failure->code() : "disconnected"; // no connection to the relay
        if (code == "checksum_mismatch") // the cached copy is not the file: read again next time
            std::filesystem::remove(std::filesystem::path(m_cacheDir) / claim.partnerId / claim.ownerId /
                                    claim.sha256);
        try {
            withTransaction("record a pushed file's failed delivery", [&](ScopedTransaction& tx) {
                FilePushStore pushes(tx);
                if (transient(code))
                    pushes.retryLater(claim, error.what(),
                                      code == "busy" ? 2 : std::min(kLongestWaitSeconds, 15 * claim.attempts),
                                      kMostAttempts);
                else
                    pushes.finish(claim, "failed", "", "", error.what());
                if (!sessionId.empty()) {
                    SessionStore store(tx);
                    store.markClosed(sessionId, std::string("file push: ") + error.what(), std::nullopt, 0,
                                     0);
                    store.announceClosed(sessionId, "file push ended");
                }
            });
        } catch (const std::exception& again) {
            // The lease runs out and another round takes it up.
            std::cerr << "file pushes: cannot record a delivery: " << again.what() << "\n";
        }
    }
}

} // namespace breeze::server
