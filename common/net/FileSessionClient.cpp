#include "net/FileSessionClient.h"

#include "crypto/Digest.h"
#include "crypto/Sha256Stream.h"
#include "encoding/Base64.h"
#include "encoding/Hex.h"
#include "net/OrderedFileWriter.h"
#include "protocol/FileMessages.h"

#include <algorithm>
#include <deque>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <unistd.h>

namespace breeze::net {

using protocol::StreamKind;

namespace {
constexpr auto kStep = std::chrono::milliseconds(200);
constexpr std::size_t kMostQueued = std::size_t{4} * 1024 * 1024; // upload chunks handed to the relay at once

std::string path64(const std::string& path) {
    return encoding::base64Encode(path);
}
} // namespace

FileSessionClient::FileSessionClient(std::unique_ptr<RelayConnection> relay) : m_relay(std::move(relay)) {
    pumpUntil([this] {
        return std::ranges::any_of(m_answers, [](const auto& a) { return a.value("type", "") == "ready"; });
    });
    for (auto it = m_answers.begin(); it != m_answers.end(); ++it)
        if (it->value("type", "") == "ready") {
            m_ready = *it;
            m_answers.erase(it);
            break;
        }
}

void FileSessionClient::onControl(const nlohmann::json& control) {
    m_answers.push_back(control);
}

void FileSessionClient::pumpUntil(const std::function<bool()>& done) {
    const RelayConnection::Handlers handlers{[this](StreamKind kind, std::string_view payload) {
                                                 if (kind == StreamKind::FileChunk && m_chunkSink)
                                                     m_chunkSink(payload);
                                             },
                                             [this](const nlohmann::json& control) { onControl(control); }};
    while (!done()) {
        if (m_relay->ended())
            throw Failure("ended", "the session ended: " + m_relay->ended()->value("reason", std::string()));
        if (!m_relay->pump(kStep, handlers))
            throw Failure("disconnected", "the connection to the device ended: " + m_relay->closeReason());
    }
}

std::int64_t FileSessionClient::send(nlohmann::json request) {
    const std::int64_t id = m_nextId++;
    request["id"] = id;
    m_relay->sendControl(request.dump());
    return id;
}

nlohmann::json FileSessionClient::call(nlohmann::json request) {
    const auto id = send(std::move(request));
    nlohmann::json answer;
    pumpUntil([&] {
        for (auto it = m_answers.begin(); it != m_answers.end(); ++it)
            if (it->value("id", std::int64_t{-1}) == id) {
                answer = *it;
                m_answers.erase(it);
                return true;
            }
        return false;
    });
    if (answer.value("type", "") == "error")
        throw Failure(answer.value("code", "error"), answer.value("message", std::string("refused")));
    return answer;
}

std::vector<FileSessionClient::Entry> FileSessionClient::list(const std::string& path, bool hidden) {
    const auto id = send({{"type", "list"}, {"path", path64(path)}, {"hidden", hidden}});
    std::vector<Entry> entries;
    for (bool more = true; more;) {
        nlohmann::json page;
        pumpUntil([&] {
            for (auto it = m_answers.begin(); it != m_answers.end(); ++it)
                if (it->value("id", std::int64_t{-1}) == id) {
                    page = *it;
                    m_answers.erase(it);
                    return true;
                }
            return false;
        });
        if (page.value("type", "") == "error")
            throw Failure(page.value("code", "error"), page.value("message", std::string("refused")));
        for (const auto& item : page.value("entries", nlohmann::json::array())) {
            Entry entry;
            entry.name = encoding::base64Decode(item.value("name", "")).value_or("");
            entry.type = item.value("type", "other");
            entry.size = item.value("size", std::uint64_t{0});
            entry.mtime = item.value("mtime", std::int64_t{0});
            entry.mode = item.value("mode", 0);
            entry.owner = item.value("owner", "");
            entry.group = item.value("group", "");
            if (item.contains("target"))
                entry.target = encoding::base64Decode(item.value("target", "")).value_or("");
            entries.push_back(std::move(entry));
        }
        more = page.value("more", false);
    }
    return entries;
}

void FileSessionClient::mkdir(const std::string& path) {
    call({{"type", "mkdir"}, {"path", path64(path)}});
}

void FileSessionClient::rename(const std::string& from, const std::string& to) {
    call({{"type", "rename"}, {"from", path64(from)}, {"to", path64(to)}});
}

void FileSessionClient::remove(const std::string& path, bool recursive) {
    call({{"type", "delete"}, {"path", path64(path)}, {"recursive", recursive}});
}

std::string FileSessionClient::download(const std::string& remotePath, const std::string& localPath,
                                        const Progress& progress, std::uint64_t resumeFrom) {
    m_verified = resumeFrom; // until the device says where it goes on from
    const int fd =
        ::open(localPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | (resumeFrom == 0 ? O_TRUNC : 0), 0644);
    if (fd < 0)
        throw Failure("local", "cannot write " + localPath);
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    // Chunks may come in the same read as the header that announces them: they wait here until it is read.
    struct SinkReset {
        std::function<void(std::string_view)>& sink;
        ~SinkReset() { sink = nullptr; }
    } reset{m_chunkSink};
    std::deque<std::pair<std::uint64_t, std::string>> early;
    std::unique_ptr<OrderedFileWriter> writer;
    std::string failure;
    std::int64_t id = -1;
    std::uint64_t size = 0;
    std::uint64_t expectedNext = 0;
    const auto hand = [&](std::uint64_t offset, std::string_view data, std::string_view sha) {
        if (offset != expectedNext) {
            failure = "the device sent the chunk at " + std::to_string(offset) + " out of order";
            return;
        }
        expectedNext += data.size();
        if (!writer->push(offset, std::string(data), std::string(sha)))
            failure = writer->failure();
        else if (progress && size > 0)
            progress(writer->written(), size);
    };
    m_chunkSink = [&](std::string_view payload) {
        const auto chunk = protocol::decodeFileChunk(payload);
        if (!chunk || static_cast<std::int64_t>(chunk->transfer) != id || !failure.empty())
            return;
        const std::string_view sha(reinterpret_cast<const char*>(chunk->sha256.data()), chunk->sha256.size());
        if (!writer) {
            if (early.size() > 64) {
                failure = "the device sent chunks before announcing the file";
                return;
            }
            early.emplace_back(chunk->offset, std::string(sha) + std::string(chunk->data));
            return;
        }
        hand(chunk->offset, chunk->data, sha);
    };
    id = send({{"type", "download"}, {"path", path64(remotePath)}, {"offset", resumeFrom}});
    nlohmann::json header;
    pumpUntil([&] {
        for (auto it = m_answers.begin(); it != m_answers.end(); ++it)
            if (it->value("id", std::int64_t{-1}) == id) {
                header = *it;
                m_answers.erase(it);
                return true;
            }
        return false;
    });
    if (header.value("type", "") == "error")
        throw Failure(header.value("code", "error"), header.value("message", std::string("refused")));
    size = header.value("size", std::uint64_t{0});
    const auto from = header.value("offset", std::uint64_t{0}); // the device starts over if the file changed
    // The whole file's hash over what is written, in order (a resumed download's part already here first),
    // compared with the device's at the end: the device names both every chunk's hash and the whole's, so
    // only the two together show that what is here is the file it hashed.
    crypto::Sha256Stream whole;
    std::string block(std::size_t{1} << 20, '\0');
    for (std::uint64_t hashed = 0; hashed < from;) {
        const ssize_t got = ::pread(fd, block.data(), std::min<std::uint64_t>(block.size(), from - hashed),
                                    static_cast<off_t>(hashed));
        if (got <= 0)
            throw Failure("local", "cannot read back the part of " + localPath + " already there");
        whole.update(std::string_view(block.data(), static_cast<std::size_t>(got)));
        hashed += static_cast<std::uint64_t>(got);
    }
    expectedNext = from;
    writer = std::make_unique<OrderedFileWriter>(fd, from, std::move(whole), kMostQueued);
    for (auto& [offset, shaAndData] : early)
        if (failure.empty())
            hand(offset, std::string_view(shaAndData).substr(32), std::string_view(shaAndData).substr(0, 32));
    early.clear();
    std::string expectedWhole;
    try {
        pumpUntil([&] {
            for (auto it = m_answers.begin(); it != m_answers.end(); ++it)
                if (it->value("id", std::int64_t{-1}) == id && it->value("type", "") != "file") {
                    if (it->value("type", "") == "error")
                        failure = it->value("message", std::string("refused"));
                    expectedWhole = it->value("sha256", "");
                    m_answers.erase(it);
                    break;
                }
            return !failure.empty() || (!expectedWhole.empty() && expectedNext >= size);
        });
    } catch (...) {
        // Cut short (the connection, or the caller): what was checked and written is kept for a resume.
        writer->finish();
        m_verified = writer->written() / protocol::kDefaultFileChunkBytes * protocol::kDefaultFileChunkBytes;
        throw;
    }
    m_chunkSink = nullptr;
    const auto actualRaw = writer->finish();
    m_verified = writer->written();
    if (failure.empty() && !actualRaw)
        failure = writer->failure();
    if (failure.empty() && m_verified != size)
        failure = "the device sent " + std::to_string(m_verified) + " of " + std::to_string(size) + " bytes";
    if (failure.empty() && (expectedWhole.size() != 64 ||
                            expectedWhole.find_first_not_of("0123456789abcdef") != std::string::npos))
        failure = "the device gave no SHA-256 for the whole file";
    if (!failure.empty())
        throw Failure("transfer", failure);
    if (::ftruncate(fd, static_cast<off_t>(size)) != 0) // a longer file from before holds nothing of this one
        throw Failure("local", "cannot set the size of " + localPath);
    if (progress)
        progress(size, size);
    std::string actual = encoding::hexEncode(*actualRaw);
    if (actual != expectedWhole)
        throw Failure("checksum_mismatch",
                      "the downloaded file's SHA-256 is " + actual + ", not " + expectedWhole);
    return actual;
}

nlohmann::json FileSessionClient::upload(const std::string& localPath, const std::string& remotePath,
                                         const std::string& conflict, const Progress& progress) {
    std::ifstream in(localPath, std::ios::binary);
    if (!in)
        throw Failure("local", "cannot read " + localPath);
    // One pass for the whole file's hash, which the device needs first; each chunk's is worked out as it is
    // sent, while the device and the server work on the chunks before it.
    crypto::Sha256Stream whole;
    std::string buffer(std::size_t{1} << 20, '\0');
    std::uint64_t size = 0;
    while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0) {
        const std::string_view piece(buffer.data(), static_cast<std::size_t>(in.gcount()));
        whole.update(piece);
        size += piece.size();
    }
    const std::string sha = encoding::hexEncode(whole.finish());
    auto ready = call({{"type", "upload"},
                       {"path", path64(remotePath)},
                       {"size", size},
                       {"sha256", sha},
                       {"conflict", conflict}});
    if (ready.value("type", "") == "upload_done")
        return ready; // skipped, or empty
    const std::int64_t id = ready["id"];
    const std::uint64_t chunk = ready.value("chunk", std::uint64_t{protocol::kDefaultFileChunkBytes});
    std::vector<bool> have((size + chunk - 1) / chunk, false);
    for (const auto& offset : ready.value("have", nlohmann::json::array()))
        if (offset.is_number_unsigned() && offset.get<std::uint64_t>() / chunk < have.size())
            have[offset.get<std::uint64_t>() / chunk] = true;
    in.clear();
    std::uint64_t sent = static_cast<std::uint64_t>(std::count(have.begin(), have.end(), true)) * chunk;
    nlohmann::json done;
    const auto finished = [&] {
        for (auto it = m_answers.begin(); it != m_answers.end(); ++it)
            if (it->value("id", std::int64_t{-1}) == id) {
                done = *it;
                m_answers.erase(it);
                return true;
            }
        return false;
    };
    std::string piece(chunk, '\0');
    for (std::size_t index = 0; index < have.size(); ++index) {
        if (have[index])
            continue;
        const std::uint64_t offset = index * chunk;
        in.seekg(static_cast<std::streamoff>(offset));
        in.read(piece.data(), static_cast<std::streamsize>(std::min<std::uint64_t>(chunk, size - offset)));
        const std::string_view data(piece.data(), static_cast<std::size_t>(in.gcount()));
        const std::string hash = crypto::Digest::sha256(data);
        m_relay->send(StreamKind::FileChunk,
                      protocol::encodeFileChunk(static_cast<std::uint32_t>(id), offset, data, hash));
        sent += data.size();
        if (progress)
            progress(std::min(sent, size), size);
        // Several chunks in flight, never more than a few MiB waiting here.
        if (m_relay->pendingBytes() > kMostQueued)
            pumpUntil([&] { return m_relay->pendingBytes() <= kMostQueued / 2 || finished(); });
        if (!done.is_null())
            break;
    }
    if (done.is_null())
        pumpUntil(finished);
    if (done.value("type", "") == "error")
        throw Failure(done.value("code", "error"), done.value("message", std::string("refused")));
    return done;
}

} // namespace breeze::net
