#include "sessions/FileSession.h"

#include "crypto/Digest.h"
#include "encoding/Base64.h"
#include "encoding/Hex.h"
#include "platform/Account.h"
#include "protocol/FileMessages.h"
#include "protocol/MessageFields.h"
#include "protocol/TerminalControl.h"
#include "units/Units.h"

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/openat2.h>
#include <stdexcept>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace breeze::agent {

namespace {
const std::uint64_t kWindow = protocol::initialWindow(protocol::SessionKind::Files);
constexpr std::size_t kChunk = protocol::kDefaultFileChunkBytes;
constexpr int kChunksPerDrain = 8;              // the link thread stays quick for the device's other sessions
constexpr std::size_t kListingPage = 40 * kKiB; // a control message stays under its 64 KiB
constexpr std::size_t kMostEntries = 100'000;
constexpr int kMostDepth = 64;

class Refusal : public std::runtime_error {
public:
    Refusal(std::string code, const std::string& message)
        : std::runtime_error(message), m_code(std::move(code)) {}
    const std::string& code() const { return m_code; }

private:
    std::string m_code;
};

std::string errnoText() {
    return std::strerror(errno);
}

[[noreturn]] void refuseErrno(const std::string& what) {
    const int error = errno;
    const std::string code = error == ENOENT                     ? "not_found"
                             : error == EEXIST                   ? "exists"
                             : error == EACCES || error == EPERM ? "denied"
                             : error == EXDEV                    ? "outside_root"
                             : error == ENOTEMPTY                ? "not_empty"
                                                                 : "io_error";
    throw Refusal(code, what + ": " + std::strerror(error));
}

// A path from the console, relative to the session's root: base64 of its bytes; leading slashes dropped.
std::string pathOf(const nlohmann::json& message, const char* field) {
    const auto it = message.find(field);
    if (it == message.end() || !it->is_string())
        throw Refusal("bad_request", std::string("\"") + field + "\" is required");
    const auto bytes = encoding::base64Decode(it->get<std::string>());
    if (!bytes || bytes->size() > 4096 || bytes->find('\0') != std::string::npos)
        throw Refusal("bad_request", std::string("\"") + field + "\" must be base64 of a path");
    std::string path = *bytes;
    while (path.starts_with('/'))
        path.erase(0, 1);
    return path;
}

// "name (n).ext": a second copy kept beside the first.
std::string numberedName(const std::string& name, int n) {
    const auto dot = name.rfind('.');
    const std::string stem = dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
    const std::string extension = dot == std::string::npos || dot == 0 ? "" : name.substr(dot);
    return stem + " (" + std::to_string(n) + ")" + extension;
}

std::string typeOf(mode_t mode) {
    return S_ISDIR(mode) ? "dir" : S_ISREG(mode) ? "file" : S_ISLNK(mode) ? "link" : "other";
}

std::string groupName(gid_t gid) {
    group entry{};
    group* found = nullptr;
    char buffer[4096];
    if (getgrgid_r(gid, &entry, buffer, sizeof buffer, &found) == 0 && found)
        return found->gr_name;
    return std::to_string(gid);
}

bool removeTree(int dir, const std::string& name, int depth) {
    if (depth > kMostDepth)
        return false;
    struct stat info {};
    if (fstatat(dir, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0)
        return false;
    if (!S_ISDIR(info.st_mode))
        return unlinkat(dir, name.c_str(), 0) == 0;
    const int child = openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (child < 0)
        return false;
    DIR* stream = fdopendir(child);
    if (!stream) {
        ::close(child);
        return false;
    }
    bool ok = true;
    while (const dirent* entry = readdir(stream)) {
        const std::string entryName = entry->d_name;
        if (entryName != "." && entryName != "..")
            ok = removeTree(dirfd(stream), entryName, depth + 1) && ok;
    }
    closedir(stream);
    return ok && unlinkat(dir, name.c_str(), AT_REMOVEDIR) == 0;
}
} // namespace

FileSession::FileSession(const protocol::SessionOpen& open)
    : m_id(open.sessionId), m_grant(open.files), m_credit(kWindow),
      m_keepDetachedSeconds(open.keepDetachedSeconds), m_idleTimeoutSeconds(open.idleTimeoutSeconds),
      m_detachedAt(Clock::now()), m_lastActivity(Clock::now()) {
    m_root = ::open(open.files.root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (m_root < 0)
        throw std::runtime_error("the session's folder " + open.files.root +
                                 " cannot be opened: " + errnoText());
    m_rootPath = open.files.root;
}

FileSession::~FileSession() {
    for (const auto& [transfer, download] : m_downloads)
        ::close(download.fd);
    for (const auto& [transfer, upload] : m_uploads) {
        ::close(upload.part);
        ::close(upload.dir);
    }
    ::close(m_root);
}

void FileSession::attach(std::uint32_t channel, bool) {
    m_channel = channel;
    m_credit.reset();
    // Transfers under way belonged to the old connection: the console asks again (uploads resume from their
    // manifest, downloads from the offset it has).
    for (const auto& [transfer, download] : m_downloads)
        ::close(download.fd);
    m_downloads.clear();
    for (auto& [transfer, upload] : m_uploads) {
        ::close(upload.part);
        ::close(upload.dir);
    }
    m_uploads.clear();
    reply({{"type", "ready"},
           {"root", m_rootPath},
           {"download", m_grant.download},
           {"upload", m_grant.upload},
           {"remove", m_grant.remove}});
    m_lastActivity = Clock::now();
}

void FileSession::detach() {
    // Its console has gone: transfers stop where they are (an upload's manifest saved, its partial file no
    // longer held), so a console coming back, or another one, resumes them.
    std::vector<std::uint32_t> open;
    for (const auto& [transfer, download] : m_downloads)
        open.push_back(transfer);
    for (const auto& [transfer, upload] : m_uploads)
        open.push_back(transfer);
    for (const auto transfer : open)
        closeTransfer(transfer);
    m_channel = 0;
    m_detachedAt = Clock::now();
}

void FileSession::reply(const nlohmann::json& message) {
    m_credit.queueControl(message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void FileSession::fail(std::int64_t id, const std::string& code, const std::string& message) {
    reply({{"type", "error"}, {"id", id}, {"code", code}, {"message", message}});
}

int FileSession::openBeneath(const std::string& path, int flags, mode_t mode) const {
    open_how how{};
    how.flags = static_cast<std::uint64_t>(flags | O_CLOEXEC);
    how.mode = (flags & O_CREAT) ? mode : 0;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    return static_cast<int>(
        ::syscall(SYS_openat2, m_root, path.empty() ? "." : path.c_str(), &how, sizeof how));
}

std::pair<int, std::string> FileSession::parentOf(const std::string& given) const {
    std::string path = given;
    while (path.size() > 1 && path.ends_with('/'))
        path.pop_back(); // "folder/" names the folder
    const auto slash = path.rfind('/');
    const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    const std::string folder = slash == std::string::npos ? "" : path.substr(0, slash);
    if (name.empty() || name == "." || name == "..")
        throw Refusal("bad_request", "name a file or folder inside the session's folder");
    const int dir = openBeneath(folder, O_RDONLY | O_DIRECTORY);
    if (dir < 0)
        refuseErrno("cannot open the folder");
    return {dir, name};
}

void FileSession::frame(const protocol::StreamFrame& frame) {
    m_lastActivity = Clock::now();
    if (frame.kind == protocol::StreamKind::Window) {
        m_credit.granted(frame.payload);
        return;
    }
    m_credit.consumed(frame.payload.size() + protocol::kFrameCost); // used once handled, here and now
    if (frame.kind == protocol::StreamKind::FileChunk) {
        receiveChunk(frame.payload);
        return;
    }
    if (frame.kind != protocol::StreamKind::SessionControl)
        return;
    nlohmann::json message;
    try {
        message = protocol::decodeSessionControl(frame.payload);
    } catch (const std::exception&) {
        return;
    }
    try {
        request(message);
    } catch (const std::exception& error) {
        fail(-1, "bad_request", error.what()); // a field of the wrong type, say: never the agent's end
    }
}

void FileSession::request(const nlohmann::json& message) {
    // The console's message: every field is checked for its type (a wrong one is a refusal, never a throw
    // here).
    const auto idField = message.find("id");
    const std::int64_t id =
        idField != message.end() && idField->is_number_integer() ? idField->get<std::int64_t>() : -1;
    if (id < 0 || id > 0x7FFFFFFF) {
        fail(id, "bad_request", "every request needs an \"id\" (0 to 2^31-1)");
        return;
    }
    const std::string type = message.value("type", ""); // a wrong type throws, and frame() refuses it
    try {
        if (type == "list") {
            list(id, pathOf(message, "path"), message.value("hidden", true));
        } else if (type == "download") {
            if (!m_grant.download)
                throw Refusal("denied", "this session may not download");
            startDownload(id, message);
        } else if (type == "upload") {
            if (!m_grant.upload)
                throw Refusal("denied", "this session may not upload");
            startUpload(id, message);
        } else if (type == "mkdir") {
            if (!m_grant.upload)
                throw Refusal("denied", "this session may not create folders");
            const auto [dir, name] = parentOf(pathOf(message, "path"));
            const int made = mkdirat(dir, name.c_str(), 0755);
            const int error = errno;
            ::close(dir);
            errno = error;
            if (made != 0)
                refuseErrno("cannot create the folder");
            reply({{"type", "done"}, {"id", id}});
        } else if (type == "rename") {
            if (!m_grant.upload || !m_grant.remove)
                throw Refusal("denied", "renaming needs the rights to upload and to delete");
            const auto [fromDir, fromName] = parentOf(pathOf(message, "from"));
            const auto [toDir, toName] = parentOf(pathOf(message, "to"));
            const int moved = renameat2(fromDir, fromName.c_str(), toDir, toName.c_str(), RENAME_NOREPLACE);
            const int error = errno;
            ::close(fromDir);
            ::close(toDir);
            errno = error;
            if (moved != 0)
                refuseErrno("cannot rename");
            reply({{"type", "done"}, {"id", id}});
        } else if (type == "delete") {
            if (!m_grant.remove)
                throw Refusal("denied", "this session may not delete");
            const auto [dir, name] = parentOf(pathOf(message, "path"));
            bool removed = false;
            if (message.value("recursive", false)) {
                removed = removeTree(dir, name, 0);
            } else {
                struct stat info {};
                removed = fstatat(dir, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) == 0 &&
                          unlinkat(dir, name.c_str(), S_ISDIR(info.st_mode) ? AT_REMOVEDIR : 0) == 0;
            }
            const int error = errno;
            ::close(dir);
            errno = error;
            if (!removed)
                refuseErrno("cannot delete");
            reply({{"type", "done"}, {"id", id}});
        } else if (type == "cancel" || type == "pause" || type == "resume") {
            const auto transfer = static_cast<std::uint32_t>(message.value("transfer", std::int64_t{-1}));
            if (const auto it = m_downloads.find(transfer); it != m_downloads.end() && type != "cancel")
                it->second.paused = type == "pause";
            else if (type == "cancel") {
                // Given up for good: an upload's partial file goes too; else it stays for a later resume.
                if (message.value("discard", false))
                    discardUpload(transfer);
                closeTransfer(transfer);
            }
            reply({{"type", "done"}, {"id", id}});
        } else if (type == "discard") {
            // The partial file of an upload paused, then cancelled.
            if (!m_grant.upload)
                throw Refusal("denied", "this session may not upload");
            const auto [dir, name] = parentOf(pathOf(message, "path"));
            const std::string part = "." + name + ".breeze-part";
            unlinkat(dir, part.c_str(), 0);
            unlinkat(dir, (part + ".manifest").c_str(), 0);
            ::close(dir);
            reply({{"type", "done"}, {"id", id}});
        } else {
            fail(id, "unknown_request", "unknown request \"" + type + "\"");
        }
    } catch (const Refusal& refusal) {
        fail(id, refusal.code(), refusal.what());
    } catch (const std::exception& error) {
        fail(id, "io_error", error.what());
    }
}

void FileSession::list(std::int64_t id, const std::string& path, bool hidden) {
    const int dir = openBeneath(path, O_RDONLY | O_DIRECTORY);
    if (dir < 0)
        refuseErrno("cannot open the folder");
    DIR* stream = fdopendir(dir);
    if (!stream) {
        ::close(dir);
        refuseErrno("cannot read the folder");
    }
    nlohmann::json page = nlohmann::json::array();
    std::size_t pageBytes = 0;
    std::size_t count = 0;
    bool truncated = false;
    while (const dirent* entry = readdir(stream)) {
        const std::string name = entry->d_name;
        if (name == "." || name == ".." || (!hidden && name.starts_with('.')))
            continue;
        if (++count > kMostEntries) {
            truncated = true;
            break;
        }
        struct stat info {};
        if (fstatat(dirfd(stream), name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        const auto owner = Account::ofUid(info.st_uid);
        nlohmann::json item{{"name", encoding::base64Encode(name)},
                            {"type", typeOf(info.st_mode)},
                            {"size", static_cast<std::uint64_t>(info.st_size)},
                            {"mtime", static_cast<std::int64_t>(info.st_mtime)},
                            {"mode", static_cast<int>(info.st_mode & 07777)},
                            {"owner", owner ? owner->name : std::to_string(info.st_uid)},
                            {"group", groupName(info.st_gid)}};
        if (S_ISLNK(info.st_mode)) {
            char target[4096];
            const ssize_t length = readlinkat(dirfd(stream), name.c_str(), target, sizeof target);
            if (length >= 0)
                item["target"] =
                    encoding::base64Encode(std::string_view(target, static_cast<std::size_t>(length)));
        }
        const std::string text = item.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        if (pageBytes + text.size() > kListingPage) {
            reply({{"type", "listing"}, {"id", id}, {"entries", std::move(page)}, {"more", true}});
            page = nlohmann::json::array();
            pageBytes = 0;
        }
        pageBytes += text.size();
        page.push_back(std::move(item));
    }
    closedir(stream);
    reply({{"type", "listing"},
           {"id", id},
           {"entries", std::move(page)},
           {"more", false},
           {"truncated", truncated}});
}

void FileSession::startDownload(std::int64_t id, const nlohmann::json& message) {
    // A resumed download names where the console's verified chunks end and the file it had (size, mtime).
    const protocol::MessageFields fields(message, "download");
    const auto from =
        static_cast<std::uint64_t>(fields.optionalInteger("offset", 0, std::int64_t{1} << 50).value_or(0));
    const auto hadSize = fields.optionalInteger("size", 0, std::int64_t{1} << 50);
    const auto hadMtime = fields.optionalInteger("mtime", std::int64_t{-1} << 40, std::int64_t{1} << 40);
    const int fd = openBeneath(pathOf(message, "path"), O_RDONLY | O_NOFOLLOW);
    if (fd < 0)
        refuseErrno("cannot open the file");
    struct stat info {};
    if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        ::close(fd);
        throw Refusal("not_a_file", "only regular files can be downloaded");
    }
    Download download;
    download.fd = fd;
    download.size = static_cast<std::uint64_t>(info.st_size);
    // Resumed only if the file is still the one the console had.
    const bool same = (!hadSize || static_cast<std::uint64_t>(*hadSize) == download.size) &&
                      (!hadMtime || *hadMtime == info.st_mtime);
    download.offset = same && from <= download.size && from % kChunk == 0 ? from : 0;
    const auto transfer = static_cast<std::uint32_t>(id);
    closeTransfer(transfer);
    m_downloads.emplace(transfer, std::move(download));
    reply({{"type", "file"},
           {"id", id},
           {"size", static_cast<std::uint64_t>(info.st_size)},
           {"mtime", static_cast<std::int64_t>(info.st_mtime)},
           {"mode", static_cast<int>(info.st_mode & 07777)},
           {"offset", m_downloads.at(transfer).offset},
           {"chunk", kChunk}});
}

void FileSession::startUpload(std::int64_t id, const nlohmann::json& message) {
    const protocol::MessageFields fields(message, "upload");
    const auto size = static_cast<std::uint64_t>(fields.integer("size", 0, std::int64_t{1} << 50));
    const std::string sha = fields.string("sha256", 64, protocol::Text::Name);
    if (sha.size() != 64 || sha.find_first_not_of("0123456789abcdef") != std::string::npos)
        throw Refusal("bad_request", "\"sha256\" must be 64 lower-case hex digits");
    const std::string conflict = fields.stringOr("conflict", 16, "fail", protocol::Text::Name);
    auto [dir, name] = parentOf(pathOf(message, "path"));
    const std::string asked = name;
    struct stat existing {};
    const bool exists = fstatat(dir, name.c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0;
    if (exists && conflict == "skip") {
        ::close(dir);
        reply({{"type", "upload_done"}, {"id", id}, {"skipped", true}});
        return;
    }
    if (exists && conflict == "keep_both") {
        // "name (2).ext", the first free one.
        for (int n = 2; n < 10'000; ++n) {
            const std::string candidate = numberedName(asked, n);
            if (fstatat(dir, candidate.c_str(), &existing, AT_SYMLINK_NOFOLLOW) != 0) {
                name = candidate;
                break;
            }
        }
    } else if (exists && conflict != "replace") {
        ::close(dir);
        throw Refusal("exists", "there is already a file of that name (choose replace, keep_both or skip)");
    }
    if (exists && conflict == "replace" && S_ISDIR(existing.st_mode)) {
        ::close(dir);
        throw Refusal("exists", "a folder of that name is there; a file does not replace a folder");
    }
    Upload upload;
    upload.dir = dir;
    upload.finalName = name;
    upload.partName = "." + name + ".breeze-part";
    upload.manifestName = upload.partName + ".manifest";
    upload.size = size;
    upload.sha256 = sha;
    upload.conflict = conflict;
    upload.askedName = asked;
    // A partial file of the same content from an upload cut short: keep the chunks its manifest vouches for.
    const int manifestFd = openat(dir, upload.manifestName.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (manifestFd >= 0) {
        std::string text(64 * kKiB, '\0');
        const ssize_t got = ::read(manifestFd, text.data(), text.size() - 1);
        ::close(manifestFd);
        const auto manifest = nlohmann::json::parse(
            text.substr(0, got > 0 ? static_cast<std::size_t>(got) : 0), nullptr, false);
        if (manifest.is_object() && manifest.value("sha256", "") == sha &&
            manifest.value("size", std::uint64_t{0}) == size && manifest.contains("have") &&
            manifest["have"].is_array())
            for (const auto& offset : manifest["have"])
                if (offset.is_number_unsigned() && offset.get<std::uint64_t>() < size &&
                    offset.get<std::uint64_t>() % kChunk == 0)
                    upload.have.insert(offset.get<std::uint64_t>());
    }
    upload.part = openat(dir, upload.partName.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (upload.part < 0) {
        ::close(dir);
        refuseErrno("cannot create the partial file");
    }
    // One upload into a partial file at a time (two consoles sending the same file, say): the other is told.
    if (flock(upload.part, LOCK_EX | LOCK_NB) != 0) {
        ::close(upload.part);
        ::close(dir);
        throw Refusal("busy", "another upload of this file is under way");
    }
    if (upload.have.empty() && ftruncate(upload.part, 0) != 0) {
        ::close(upload.part);
        ::close(dir);
        refuseErrno("cannot start the partial file");
    }
    const auto transfer = static_cast<std::uint32_t>(id);
    closeTransfer(transfer);
    nlohmann::json have = nlohmann::json::array();
    for (const auto offset : upload.have)
        have.push_back(offset);
    const std::string finalName = upload.finalName;
    m_uploads.emplace(transfer, std::move(upload));
    reply({{"type", "upload_ready"},
           {"id", id},
           {"name", encoding::base64Encode(finalName)},
           {"chunk", kChunk},
           {"have", std::move(have)}});
    if (size == 0)
        finishUpload(transfer, m_uploads.at(transfer));
}

void FileSession::saveManifest(const Upload& upload) const {
    nlohmann::json have = nlohmann::json::array();
    for (const auto offset : upload.have)
        have.push_back(offset);
    const std::string text =
        nlohmann::json{{"sha256", upload.sha256}, {"size", upload.size}, {"have", have}}.dump();
    const int fd = openat(upload.dir, upload.manifestName.c_str(),
                          O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return; // the upload goes on; only a resume would start over
    [[maybe_unused]] const auto wrote = ::write(fd, text.data(), text.size());
    ::close(fd);
}

void FileSession::receiveChunk(std::string_view payload) {
    const auto chunk = protocol::decodeFileChunk(payload);
    if (!chunk)
        return;
    const auto it = m_uploads.find(chunk->transfer);
    if (it == m_uploads.end())
        return; // cancelled meanwhile
    Upload& upload = it->second;
    const auto id = static_cast<std::int64_t>(chunk->transfer);
    const std::string expected(reinterpret_cast<const char*>(chunk->sha256.data()), chunk->sha256.size());
    if (chunk->offset % kChunk != 0 || chunk->offset >= std::max<std::uint64_t>(upload.size, 1) ||
        chunk->data.size() != std::min<std::uint64_t>(kChunk, upload.size - chunk->offset) ||
        crypto::Digest::sha256(chunk->data) != expected) {
        fail(id, "bad_chunk",
             "a chunk at offset " + std::to_string(chunk->offset) + " does not match its SHA-256 or size");
        closeTransfer(chunk->transfer);
        return;
    }
    if (!upload.have.contains(chunk->offset)) {
        std::size_t done = 0;
        while (done < chunk->data.size()) {
            const ssize_t wrote = ::pwrite(upload.part, chunk->data.data() + done, chunk->data.size() - done,
                                           static_cast<off_t>(chunk->offset + done));
            if (wrote < 0) {
                if (errno == EINTR)
                    continue;
                fail(id, "io_error", "cannot write: " + errnoText());
                closeTransfer(chunk->transfer);
                return;
            }
            done += static_cast<std::size_t>(wrote);
        }
        upload.have.insert(chunk->offset);
        if (upload.ordered && chunk->offset == upload.hashedInOrder) {
            upload.inOrder.update(chunk->data);
            upload.hashedInOrder += chunk->data.size();
        } else {
            upload.ordered = false;
        }
        // The manifest now and then (every 4 MiB), so a resume loses little.
        if (upload.have.size() % 16 == 0)
            saveManifest(upload);
    }
    const std::uint64_t chunks = (upload.size + kChunk - 1) / kChunk;
    if (upload.have.size() == chunks)
        finishUpload(chunk->transfer, upload);
}

void FileSession::finishUpload(std::uint32_t transfer, Upload& upload) {
    const auto id = static_cast<std::int64_t>(transfer);
    // The whole file is checked before it takes the target's name: hashed as it came when it came in order,
    // else read back from the partial file.
    std::string actual;
    if (upload.ordered && upload.hashedInOrder == upload.size) {
        actual = encoding::hexEncode(upload.inOrder.finish());
    } else {
        crypto::Sha256Stream whole;
        std::string buffer(kChunk, '\0');
        for (std::uint64_t at = 0; at < upload.size;) {
            const ssize_t got = ::pread(upload.part, buffer.data(), buffer.size(), static_cast<off_t>(at));
            if (got <= 0)
                break;
            whole.update(std::string_view(buffer.data(), static_cast<std::size_t>(got)));
            at += static_cast<std::uint64_t>(got);
        }
        actual = encoding::hexEncode(whole.finish());
    }
    if (actual != upload.sha256) {
        fail(id, "checksum_mismatch", "the uploaded file's SHA-256 is " + actual + ", not " + upload.sha256);
        discardUpload(transfer);
        return;
    }
    // No fsync, as cp, scp and rsync do not: on the link thread it would hold every other session of the
    // device for as long as the disk takes to write the whole file.
    fchmod(upload.part, 0644);
    // The name is taken only if still free (another upload may have put a file there meanwhile), unless the
    // technician chose to replace; keeping both looks for the next free name.
    const auto place = [&] {
        if (upload.conflict == "replace")
            return renameat(upload.dir, upload.partName.c_str(), upload.dir, upload.finalName.c_str());
        return renameat2(upload.dir, upload.partName.c_str(), upload.dir, upload.finalName.c_str(),
                         RENAME_NOREPLACE);
    };
    int placed = place();
    for (int n = 2; placed != 0 && errno == EEXIST && upload.conflict == "keep_both" && n < 10'000; ++n) {
        upload.finalName = numberedName(upload.askedName, n);
        placed = place();
    }
    if (placed != 0) {
        const bool taken = errno == EEXIST;
        fail(id, taken ? "exists" : "io_error",
             taken ? "a file of that name appeared while this one was sent"
                   : "cannot put the file in place: " + errnoText());
        closeTransfer(transfer);
        return;
    }
    reply({{"type", "upload_done"},
           {"id", id},
           {"name", encoding::base64Encode(upload.finalName)},
           {"sha256", actual},
           {"size", upload.size}});
    discardUpload(transfer); // the manifest goes (closing would write it again); the file is in place
}

void FileSession::discardUpload(std::uint32_t transfer) {
    const auto it = m_uploads.find(transfer);
    if (it == m_uploads.end())
        return;
    unlinkat(it->second.dir, it->second.partName.c_str(), 0);
    unlinkat(it->second.dir, it->second.manifestName.c_str(), 0);
    ::close(it->second.part);
    ::close(it->second.dir);
    m_uploads.erase(it);
}

void FileSession::closeTransfer(std::uint32_t transfer) {
    if (const auto it = m_downloads.find(transfer); it != m_downloads.end()) {
        ::close(it->second.fd);
        m_downloads.erase(it);
    }
    if (const auto it = m_uploads.find(transfer); it != m_uploads.end()) {
        saveManifest(it->second);
        ::close(it->second.part);
        ::close(it->second.dir);
        m_uploads.erase(it);
    }
}

bool FileSession::wantsTurn() const {
    if (m_channel == 0)
        return false;
    for (const auto& [transfer, download] : m_downloads)
        if (!download.paused && download.offset < download.size &&
            m_credit.available() >= kChunk + protocol::kFileChunkHeaderBytes + protocol::kFrameCost)
            return true;
    return false;
}

void FileSession::drain(std::vector<std::string>& frames) {
    if (m_channel == 0)
        return;
    m_credit.drainControls(m_channel, frames);
    if (m_credit.controlsPending())
        return; // answers first: a chunk never overtakes the "file" that announces it
    std::string buffer(kChunk, '\0');
    int budget = kChunksPerDrain;
    for (auto it = m_downloads.begin(); it != m_downloads.end() && budget > 0;) {
        Download& download = it->second;
        const auto transfer = it->first;
        ++it;
        if (download.paused)
            continue;
        // A resumed download's hash starts with what the console already has.
        while (download.hashed < download.offset && budget > 0) {
            const auto length = std::min<std::uint64_t>(kChunk, download.offset - download.hashed);
            const ssize_t got =
                ::pread(download.fd, buffer.data(), length, static_cast<off_t>(download.hashed));
            if (got <= 0)
                break;
            download.whole.update(std::string_view(buffer.data(), static_cast<std::size_t>(got)));
            download.hashed += static_cast<std::uint64_t>(got);
            --budget;
        }
        while (download.hashed >= download.offset && download.offset < download.size && budget > 0) {
            const auto length = std::min<std::uint64_t>(kChunk, download.size - download.offset);
            if (m_credit.available() < length + protocol::kFileChunkHeaderBytes + protocol::kFrameCost)
                return; // the console has not taken enough yet
            const ssize_t got =
                ::pread(download.fd, buffer.data(), length, static_cast<off_t>(download.offset));
            if (got <= 0 || static_cast<std::uint64_t>(got) != length) {
                fail(transfer, "io_error", "the file changed or could not be read while it was sent");
                closeTransfer(transfer);
                break;
            }
            const std::string_view data(buffer.data(), length);
            download.whole.update(data);
            download.hashed += length;
            const std::string payload =
                protocol::encodeFileChunk(transfer, download.offset, data, crypto::Digest::sha256(data));
            m_credit.spend(payload.size() + protocol::kFrameCost);
            frames.push_back(
                protocol::encodeStreamFrame(protocol::StreamKind::FileChunk, m_channel, payload));
            download.offset += length;
            m_lastActivity = Clock::now();
            --budget;
        }
        if (download.offset >= download.size && download.hashed >= download.size &&
            m_downloads.contains(transfer)) {
            // Chunks travel in the bulk lane and this in the priority one: the console completes a download
            // when it has both every byte and this end, in whichever order they come.
            reply({{"type", "file_end"},
                   {"id", transfer},
                   {"sha256", encoding::hexEncode(download.whole.finish())}});
            closeTransfer(transfer);
        }
    }
}

} // namespace breeze::agent
