#pragma once

#include "net/RelayConnection.h"

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace breeze::net {

// The client's end of a file session (breeze-admin files, tests, benchmarks): requests answered in order of
// their ids, downloads written to a local file with every chunk checked against its SHA-256 and the whole
// file at the end, uploads sent as the chunks the device is missing (so a cut-short upload resumes), several
// chunks in flight within the session's credit. Paths are bytes; the wire carries them as base64. One thread.
class FileSessionClient {
public:
    struct Entry {
        std::string name; // bytes
        std::string type; // file, dir, link, other
        std::uint64_t size = 0;
        std::int64_t mtime = 0;
        int mode = 0;
        std::string owner, group;
        std::string target; // a link's, bytes
    };
    // Thrown for the device's refusals (code and message as it gave them) and for failed checks.
    class Failure : public std::runtime_error {
    public:
        Failure(std::string code, const std::string& message)
            : std::runtime_error(message), m_code(std::move(code)) {}
        const std::string& code() const { return m_code; }

    private:
        std::string m_code;
    };
    using Progress = std::function<void(std::uint64_t done, std::uint64_t total)>;

    // Waits for the session to be ready. Throws Failure or what RelayConnection throws.
    explicit FileSessionClient(std::unique_ptr<RelayConnection> relay);

    std::vector<Entry> list(const std::string& path, bool hidden = true);
    void mkdir(const std::string& path);
    void rename(const std::string& from, const std::string& to);
    void remove(const std::string& path, bool recursive);
    // Returns the whole file's SHA-256 (hex). `resumeFrom`: bytes of `localPath` already verified (after a
    // dropped connection).
    std::string download(const std::string& remotePath, const std::string& localPath,
                         const Progress& progress = {}, std::uint64_t resumeFrom = 0);
    // `conflict`: fail, replace, keep_both or skip. Returns the device's answer (name, sha256, size,
    // skipped).
    nlohmann::json upload(const std::string& localPath, const std::string& remotePath,
                          const std::string& conflict, const Progress& progress = {});
    const nlohmann::json& rights() const { return m_ready; }
    // Bytes already written to `localPath` by an interrupted download() (whole chunks, each verified).
    std::uint64_t verifiedBytes() const { return m_verified; }

private:
    nlohmann::json call(nlohmann::json request); // one answer
    std::int64_t send(nlohmann::json request);
    // Pumps until `done` holds; throws when the connection ends first.
    void pumpUntil(const std::function<bool()>& done);
    void onControl(const nlohmann::json& control);

    std::unique_ptr<RelayConnection> m_relay;
    nlohmann::json m_ready;
    std::int64_t m_nextId = 1;
    std::vector<nlohmann::json> m_answers; // unclaimed answers
    std::function<void(std::string_view)> m_chunkSink;
    std::uint64_t m_verified = 0;
};

} // namespace breeze::net
