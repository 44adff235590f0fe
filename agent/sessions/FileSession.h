#pragma once

#include "crypto/Sha256Stream.h"
#include "protocol/SessionMessages.h"
#include "sessions/ChannelCredit.h"
#include "sessions/LiveSession.h"

#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace breeze::agent {

// A file session: browse, transfer both ways, make folders, rename and delete, inside the root folder the
// server granted (every path is opened with openat2 RESOLVE_BENEATH, so neither ".." nor a symbolic link
// leads out of it) and with the rights it granted. Downloads go out a chunk at a time within the console's
// credit, each chunk with its SHA-256, the whole file's at the end; uploads land in a partial file beside the
// target with a manifest of the chunks it has, so an upload cut short resumes, and the target appears only
// once the whole file's SHA-256 matches. Requests and answers are SessionControl messages (paths as base64 of
// their bytes).
class FileSession : public LiveSession {
public:
    // Throws std::runtime_error when the root cannot be opened.
    explicit FileSession(const protocol::SessionOpen& open);
    ~FileSession() override;

    const std::string& id() const override { return m_id; }
    std::uint32_t channel() const override { return m_channel; }
    void attach(std::uint32_t channel, bool resumed) override;
    void detach() override;
    Clock::time_point detachedAt() const override { return m_detachedAt; }
    Clock::time_point lastActivity() const override { return m_lastActivity; }
    int keepDetachedSeconds() const override { return m_keepDetachedSeconds; }
    int idleTimeoutSeconds() const override { return m_idleTimeoutSeconds; }
    int fd() const override { return -1; }
    short pollEvents() const override { return 0; }
    void ready(short) override {}
    void frame(const protocol::StreamFrame& frame) override;
    void drain(std::vector<std::string>& frames) override;
    bool wantsTurn() const override;
    bool finished() const override { return false; }
    std::string endReason() const override { return {}; }
    std::optional<int> exitCode() const override { return std::nullopt; }

private:
    struct Download {
        int fd = -1;
        std::uint64_t size = 0;
        std::uint64_t offset = 0; // the next byte to send
        std::uint64_t hashed = 0; // the whole-file hash covers [0, hashed)
        crypto::Sha256Stream whole;
        bool paused = false;
    };
    struct Upload {
        int dir = -1;
        std::string partName, manifestName, finalName;
        int part = -1;
        std::uint64_t size = 0;
        std::string sha256; // hex, of the whole file
        std::set<std::uint64_t> have;
        std::uint64_t received = 0;
        // The whole file's hash while chunks arrive in order from the start (one pass fewer than reading it
        // back); an upload resumed or out of order is read back instead.
        crypto::Sha256Stream inOrder;
        std::uint64_t hashedInOrder = 0;
        bool ordered = true;
        std::string conflict;  // as asked: replace, keep_both or fail (checked again as it takes its name)
        std::string askedName; // the name asked for, before a kept-both copy's number
    };

    void request(const nlohmann::json& message);
    void reply(const nlohmann::json& message);
    void fail(std::int64_t id, const std::string& code, const std::string& message);
    int openBeneath(const std::string& path, int flags, mode_t mode = 0) const;
    // The folder a path lies in (opened) and its last name; throws for the root itself or "." and "..".
    std::pair<int, std::string> parentOf(const std::string& path) const;
    void list(std::int64_t id, const std::string& path, bool hidden);
    void startDownload(std::int64_t id, const nlohmann::json& message);
    void startUpload(std::int64_t id, const nlohmann::json& message);
    void receiveChunk(std::string_view payload);
    void finishUpload(std::uint32_t transfer, Upload& upload);
    void saveManifest(const Upload& upload) const;
    void discardUpload(std::uint32_t transfer);
    void closeTransfer(std::uint32_t transfer);

    std::string m_id;
    std::uint32_t m_channel = 0;
    int m_root = -1;
    std::string m_rootPath;
    protocol::FilesGrant m_grant;
    ChannelCredit m_credit;
    std::map<std::uint32_t, Download> m_downloads;
    std::map<std::uint32_t, Upload> m_uploads;
    int m_keepDetachedSeconds;
    int m_idleTimeoutSeconds;
    Clock::time_point m_detachedAt;
    Clock::time_point m_lastActivity;
};

} // namespace breeze::agent
