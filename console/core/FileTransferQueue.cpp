#include "FileTransferQueue.h"

#include "crypto/Digest.h"
#include "crypto/Sha256Stream.h"
#include "encoding/Hex.h"
#include "protocol/FileMessages.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QRunnable>
#include <atomic>
#include <cstdio>

namespace breeze::console {

namespace {
constexpr qint64 kMostQueued = qint64{4} * 1024 * 1024; // upload chunks waiting here for credit
constexpr quint64 kChunk = protocol::kDefaultFileChunkBytes;

QByteArray joined(const QByteArray& folder, const QByteArray& name) {
    if (folder.isEmpty() || folder == "/")
        return "/" + name;
    return folder.endsWith('/') ? folder + name : folder + '/' + name;
}

QByteArray lastName(const QByteArray& path) {
    QByteArray trimmed = path;
    while (trimmed.size() > 1 && trimmed.endsWith('/'))
        trimmed.chop(1);
    return trimmed.mid(trimmed.lastIndexOf('/') + 1);
}

// "name (2).ext", the first name not taken in the local folder; empty when none is free.
QString freeLocalName(const QString& path) {
    const QFileInfo info(path);
    const QString base = info.completeBaseName().isEmpty() ? info.fileName() : info.completeBaseName();
    const QString suffix = info.completeBaseName().isEmpty() || info.suffix().isEmpty()
                               ? QString()
                               : QStringLiteral(".") + info.suffix();
    for (int n = 2; n < 10'000; ++n) {
        QString candidate = info.dir().filePath(QStringLiteral("%1 (%2)%3").arg(base).arg(n).arg(suffix));
        if (!QFileInfo::exists(candidate))
            return candidate;
    }
    return {};
}

QString errorCode(const QJsonObject& answer) {
    return answer.value(QStringLiteral("type")).toString() == QStringLiteral("error")
               ? answer.value(QStringLiteral("code")).toString(QStringLiteral("error"))
               : QString();
}
} // namespace

struct FileTransferQueue::Progress {
    // A download: the partial file beside the target, the whole file's hash over what is verified so far,
    // and the file as the device had it (a resume asks for the same one).
    QString partPath;
    QFile file;
    crypto::Sha256Stream whole;
    quint64 verified = 0;
    quint64 remoteSize = 0;
    qint64 remoteMtime = -1;
    QString expected; // the device's hash of the whole file, once it has sent every chunk
    // An upload: the hashes worked out once (a resume does not read the file again), the name the device
    // gave it, and which chunks it has.
    bool hashed = false;
    QString sha256;
    std::vector<std::string> chunkHashes; // raw, kChunk each
    QByteArray remoteName;                // set once the device has accepted it
    std::vector<bool> have;
    std::size_t nextChunk = 0;
    quint64 chunk = kChunk;
    quint64 sent = 0;
    std::shared_ptr<std::atomic<bool>> stop = std::make_shared<std::atomic<bool>>(false);
};

FileTransferQueue::FileTransferQueue(RemoteFiles& files, QObject* parent) : QObject(parent), m_files(files) {
    m_hashing.setMaxThreadCount(1);
    connect(&m_files, &RemoteFiles::chunkReceived, this, &FileTransferQueue::onChunk);
    connect(&m_files, &RemoteFiles::sendable, this, &FileTransferQueue::feed);
    connect(&m_files, &RemoteFiles::stateChanged, this, &FileTransferQueue::onSessionState);
    m_tick.setInterval(250);
    connect(&m_tick, &QTimer::timeout, this, &FileTransferQueue::tick);
}

FileTransferQueue::~FileTransferQueue() {
    discardPartials(); // nothing resumes them once the queue is gone
    m_hashing.waitForDone();
    if (m_request >= 0)
        m_files.forget(m_request);
}

void FileTransferQueue::discardPartials() {
    for (auto& [id, progress] : m_progress) {
        progress->stop->store(true);
        if (!progress->partPath.isEmpty()) {
            progress->file.close();
            QFile::remove(progress->partPath);
            progress->partPath.clear();
        }
    }
}

bool FileTransferQueue::landsInside(const QString& path, const QString& root) {
    const QString base = QDir::cleanPath(QDir(root).absolutePath());
    const QString cleaned = QDir::cleanPath(QDir(path).absolutePath());
    return !root.isEmpty() && cleaned.startsWith(base + QChar('/')) && cleaned.size() > base.size() + 1;
}

FileTransfer* FileTransferQueue::find(int id) {
    for (auto& transfer : m_transfers)
        if (transfer.id == id)
            return &transfer;
    return nullptr;
}

const FileTransfer* FileTransferQueue::transfer(int id) const {
    for (const auto& transfer : m_transfers)
        if (transfer.id == id)
            return &transfer;
    return nullptr;
}

int FileTransferQueue::rowOf(int id) const {
    for (int row = 0; row < m_transfers.size(); ++row)
        if (m_transfers[row].id == id)
            return row;
    return -1;
}

int FileTransferQueue::add(FileTransfer transfer) {
    transfer.id = m_nextId++;
    if (transfer.direction == FileTransfer::Direction::Download &&
        !landsInside(transfer.localPath, transfer.localRoot)) {
        // A name from the device that would lead out of the chosen folder: never followed.
        transfer.state = FileTransfer::State::Failed;
        transfer.message =
            tr("The device named it so that it would land outside %1; left out").arg(transfer.localRoot);
    }
    m_transfers.push_back(std::move(transfer));
    Q_EMIT rowsChanged();
    QTimer::singleShot(0, this, &FileTransferQueue::next);
    return m_transfers.back().id;
}

int FileTransferQueue::download(const QByteArray& remotePath, bool folder, const QString& localFolder) {
    FileTransfer transfer;
    transfer.direction = FileTransfer::Direction::Download;
    transfer.kind = folder ? FileTransfer::Kind::Folder : FileTransfer::Kind::File;
    transfer.remotePath = remotePath;
    transfer.localPath = QDir(localFolder).filePath(QFile::decodeName(lastName(remotePath)));
    transfer.localRoot = localFolder;
    return add(std::move(transfer));
}

void FileTransferQueue::upload(const QStringList& localPaths, const QByteArray& remoteFolder) {
    for (const QString& path : localPaths) {
        const QFileInfo info(path);
        if (!info.exists())
            continue;
        FileTransfer transfer;
        transfer.direction = FileTransfer::Direction::Upload;
        transfer.kind = info.isDir() ? FileTransfer::Kind::Folder : FileTransfer::Kind::File;
        transfer.localPath = info.absoluteFilePath();
        transfer.remotePath = joined(remoteFolder, QFile::encodeName(info.fileName()));
        transfer.total = info.isDir() ? 0 : static_cast<quint64>(info.size());
        add(std::move(transfer));
    }
}

void FileTransferQueue::setState(FileTransfer& transfer, FileTransfer::State state, const QString& message) {
    transfer.state = state;
    transfer.message = message;
    if (state != FileTransfer::State::Running)
        transfer.bytesPerSecond = 0;
    const int id = transfer.id;
    Q_EMIT transferChanged(rowOf(id));
    if (transfer.finished()) {
        m_progress.erase(id);
        Q_EMIT transferFinished(id);
    }
}

void FileTransferQueue::next() {
    if (m_active != 0 || m_files.state() != RemoteFiles::State::Live)
        return;
    for (auto& transfer : m_transfers) {
        if (transfer.state != FileTransfer::State::Queued)
            continue;
        m_active = transfer.id;
        m_sampleClock.start();
        m_sampleBytes = transfer.done;
        m_tick.start();
        if (transfer.kind == FileTransfer::Kind::Folder)
            startFolder(transfer);
        else if (transfer.direction == FileTransfer::Direction::Download)
            startDownload(transfer);
        else
            startUpload(transfer);
        return;
    }
    m_tick.stop();
}

QString FileTransferQueue::choiceFor(const FileTransfer& transfer) const {
    if (!transfer.conflict.isEmpty())
        return transfer.conflict;
    switch (m_policy) {
    case ConflictPolicy::Replace:
        return QStringLiteral("replace");
    case ConflictPolicy::KeepBoth:
        return QStringLiteral("keep_both");
    case ConflictPolicy::Skip:
        return QStringLiteral("skip");
    case ConflictPolicy::Ask:
        break;
    }
    return {};
}

void FileTransferQueue::failed(FileTransfer& transfer, const QString& code, const QString& message) {
    const int id = transfer.id;
    if (m_active == id) {
        m_active = 0;
        m_request = -1;
    }
    if (code == QStringLiteral("disconnected") && m_files.state() != RemoteFiles::State::Ended) {
        // Kept as far as it got; it goes on when the session is live again.
        setState(transfer, FileTransfer::State::Waiting, message);
        return;
    }
    if (code == QStringLiteral("exists") && choiceFor(transfer).isEmpty()) {
        setState(transfer, FileTransfer::State::Conflict, message);
        Q_EMIT conflictRaised(id);
    } else {
        if (const auto it = m_progress.find(id); it != m_progress.end() && !it->second->partPath.isEmpty()) {
            it->second->file.close();
            QFile::remove(it->second->partPath);
        }
        setState(transfer, FileTransfer::State::Failed, message);
    }
    next();
}

// Folders: made at the far end, then what they hold added to the queue.
void FileTransferQueue::startFolder(FileTransfer& transfer) {
    setState(transfer, FileTransfer::State::Running);
    const int id = transfer.id;
    if (transfer.direction == FileTransfer::Direction::Download) {
        if (!QDir().mkpath(transfer.localPath)) {
            failed(transfer, QStringLiteral("local"), tr("Cannot create %1").arg(transfer.localPath));
            return;
        }
        m_files.list(
            transfer.remotePath, true,
            [this, id](const QVector<RemoteFileEntry>& entries, const QString& code, const QString& error) {
                FileTransfer* folder = find(id);
                if (!folder || m_active != id)
                    return;
                if (!code.isEmpty()) {
                    failed(*folder, code, error);
                    return;
                }
                const QString local = folder->localPath;
                const QByteArray remote = folder->remotePath;
                int files = 0;
                int links = 0;
                for (const auto& entry : entries) {
                    if (entry.type != QStringLiteral("file") && !entry.isDir()) {
                        ++links; // links and devices are not followed or copied
                        continue;
                    }
                    FileTransfer child;
                    child.direction = FileTransfer::Direction::Download;
                    child.kind = entry.isDir() ? FileTransfer::Kind::Folder : FileTransfer::Kind::File;
                    child.remotePath = joined(remote, entry.name);
                    child.localPath = QDir(local).filePath(QFile::decodeName(entry.name));
                    child.localRoot = find(id)->localRoot;
                    child.total = entry.size;
                    child.conflict = find(id)->conflict;
                    add(std::move(child));
                    files += entry.isDir() ? 0 : 1;
                }
                folder = find(id);
                m_active = 0;
                setState(
                    *folder, FileTransfer::State::Done,
                    links > 0
                        ? tr("%n file(s) queued; links and special files left out", nullptr, files).arg(links)
                        : tr("%n file(s) queued", nullptr, files));
                next();
            });
        return;
    }
    m_files.mkdir(transfer.remotePath, [this, id](const QString& code, const QString& error) {
        FileTransfer* folder = find(id);
        if (!folder || m_active != id)
            return;
        if (!code.isEmpty() && code != QStringLiteral("exists")) {
            failed(*folder, code, error);
            return;
        }
        const QFileInfoList entries =
            QDir(folder->localPath)
                .entryInfoList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                               QDir::Name);
        QStringList paths;
        for (const QFileInfo& entry : entries)
            if (!entry.isSymLink())
                paths << entry.absoluteFilePath();
        const QByteArray remote = folder->remotePath;
        const QString conflict = folder->conflict;
        m_active = 0;
        setState(*folder, FileTransfer::State::Done, tr("%n item(s) queued", nullptr, int(paths.size())));
        const int first = m_nextId;
        upload(paths, remote);
        for (auto& child : m_transfers)
            if (child.id >= first)
                child.conflict = conflict;
        next();
    });
}

void FileTransferQueue::startDownload(FileTransfer& transfer) {
    auto& slot = m_progress[transfer.id];
    if (!slot) {
        slot = std::make_unique<Progress>();
        if (QFileInfo::exists(transfer.localPath)) {
            const QString choice = choiceFor(transfer);
            if (choice.isEmpty()) {
                m_progress.erase(transfer.id);
                failed(transfer, QStringLiteral("exists"), tr("%1 is already there").arg(transfer.localPath));
                return;
            }
            if (choice == QStringLiteral("skip")) {
                m_active = 0;
                setState(transfer, FileTransfer::State::Skipped, tr("Already there; left as it was"));
                next();
                return;
            }
            if (choice == QStringLiteral("keep_both"))
                transfer.localPath = freeLocalName(transfer.localPath);
            if (transfer.localPath.isEmpty()) {
                m_progress.erase(transfer.id);
                failed(transfer, QStringLiteral("local"), tr("No free name is left for it"));
                return;
            }
        }
        // A partial file of its own (two transfers of one name never share one), kept open until the end:
        // never opened again by name, so what was verified is what is in it.
        const QFileInfo target(transfer.localPath);
        slot->partPath =
            target.dir().filePath(QStringLiteral(".%1.%2-%3.breeze-part")
                                      .arg(target.fileName())
                                      .arg(transfer.id)
                                      .arg(QRandomGenerator::global()->generate(), 8, 16, QChar('0')));
        slot->file.setFileName(slot->partPath);
        if (!slot->file.open(QIODevice::ReadWrite | QIODevice::NewOnly)) {
            const QString why = slot->file.errorString();
            slot->partPath.clear(); // not ours: never removed
            m_progress.erase(transfer.id);
            failed(transfer, QStringLiteral("local"), tr("Cannot write in %1: %2").arg(target.path(), why));
            return;
        }
    }
    Progress& progress = *slot;
    progress.expected.clear();
    setState(transfer, FileTransfer::State::Running);
    QJsonObject request{{QStringLiteral("type"), QStringLiteral("download")},
                        {QStringLiteral("path"), QString::fromLatin1(transfer.remotePath.toBase64())}};
    if (progress.verified > 0) {
        request.insert(QStringLiteral("offset"), static_cast<qint64>(progress.verified));
        request.insert(QStringLiteral("size"), static_cast<qint64>(progress.remoteSize));
        request.insert(QStringLiteral("mtime"), progress.remoteMtime);
    }
    const int id = transfer.id;
    m_request = m_files.request(request, [this, id](const QJsonObject& answer) {
        onDownloadAnswer(id, answer);
        return m_active == id && answer.value(QStringLiteral("type")).toString() == QStringLiteral("file");
    });
}

void FileTransferQueue::onDownloadAnswer(int id, const QJsonObject& answer) {
    FileTransfer* transfer = find(id);
    const auto it = m_progress.find(id);
    if (!transfer || m_active != id || it == m_progress.end())
        return;
    Progress& progress = *it->second;
    if (const QString code = errorCode(answer); !code.isEmpty()) {
        failed(*transfer, code, answer.value(QStringLiteral("message")).toString());
        return;
    }
    const QString type = answer.value(QStringLiteral("type")).toString();
    if (type == QStringLiteral("file")) {
        const qint64 size = answer.value(QStringLiteral("size")).toInteger(-1);
        if (size < 0 || size > (qint64{1} << 50)) {
            stopActive(false);
            failed(*transfer, QStringLiteral("bad_answer"),
                   tr("The device gave no sensible size for the file"));
            return;
        }
        const auto offset = static_cast<quint64>(answer.value(QStringLiteral("offset")).toInteger());
        if (offset != progress.verified) {
            // The file changed since the part we have (or the device starts over): from the start.
            progress.verified = 0;
            progress.whole = crypto::Sha256Stream();
            progress.file.resize(0);
        }
        transfer->resumedFrom = progress.verified;
        progress.remoteSize = static_cast<quint64>(answer.value(QStringLiteral("size")).toInteger());
        progress.remoteMtime = answer.value(QStringLiteral("mtime")).toInteger();
        transfer->total = progress.remoteSize;
        transfer->done = progress.verified;
    } else if (type == QStringLiteral("file_end")) {
        progress.expected = answer.value(QStringLiteral("sha256")).toString();
    }
    if (!progress.expected.isEmpty() && progress.verified >= progress.remoteSize)
        finishDownload(*transfer);
}

void FileTransferQueue::onChunk(const QByteArray& payload) {
    m_files.consumed(payload.size()); // written or not, the device may send as much again
    const auto chunk = protocol::decodeFileChunk(
        std::string_view(payload.constData(), static_cast<std::size_t>(payload.size())));
    FileTransfer* transfer = find(m_active);
    const auto it = m_progress.find(m_active);
    if (!chunk || !transfer || it == m_progress.end() ||
        transfer->direction != FileTransfer::Direction::Download ||
        transfer->state != FileTransfer::State::Running || static_cast<qint64>(chunk->transfer) != m_request)
        return; // a chunk still on its way from a transfer paused or cancelled
    Progress& progress = *it->second;
    const std::string hash(reinterpret_cast<const char*>(chunk->sha256.data()), chunk->sha256.size());
    if (crypto::Digest::sha256(chunk->data) != hash || chunk->offset != progress.verified ||
        chunk->offset + chunk->data.size() > progress.remoteSize) {
        stopActive(false);
        failed(*transfer, QStringLiteral("checksum_mismatch"),
               tr("A chunk at offset %1 did not match its SHA-256").arg(chunk->offset));
        return;
    }
    if (!progress.file.seek(static_cast<qint64>(chunk->offset)) ||
        progress.file.write(chunk->data.data(), static_cast<qint64>(chunk->data.size())) !=
            static_cast<qint64>(chunk->data.size())) {
        stopActive(false);
        failed(*transfer, QStringLiteral("local"),
               tr("Cannot write %1: %2").arg(progress.partPath, progress.file.errorString()));
        return;
    }
    progress.whole.update(chunk->data);
    progress.verified += chunk->data.size();
    transfer->done = progress.verified;
    if (!progress.expected.isEmpty() && progress.verified >= progress.remoteSize)
        finishDownload(*transfer);
}

void FileTransferQueue::finishDownload(FileTransfer& transfer) {
    const auto it = m_progress.find(transfer.id);
    Progress& progress = *it->second;
    progress.file.resize(static_cast<qint64>(progress.remoteSize));
    progress.file.close();
    const QString actual = QString::fromLatin1(encoding::hexEncode(progress.whole.finish()).c_str());
    m_files.forget(m_request);
    if (actual != progress.expected) {
        failed(transfer, QStringLiteral("checksum_mismatch"),
               tr("The downloaded file's SHA-256 is %1, not %2").arg(actual, progress.expected));
        return;
    }
    // Verified: only now does it take the target's name. A file there is replaced (in one step) only when the
    // technician said so; one that appeared meanwhile is kept, and this one takes a free name beside it.
    QString message = tr("Verified (SHA-256)");
    const bool replace = choiceFor(transfer) == QStringLiteral("replace");
    if (!replace && QFileInfo::exists(transfer.localPath)) {
        transfer.localPath = freeLocalName(transfer.localPath);
        message = tr("Verified (SHA-256), saved as %1").arg(QFileInfo(transfer.localPath).fileName());
    }
    const bool placed = !transfer.localPath.isEmpty() &&
                        (replace ? std::rename(QFile::encodeName(progress.partPath).constData(),
                                               QFile::encodeName(transfer.localPath).constData()) == 0
                                 : QFile::rename(progress.partPath, transfer.localPath));
    if (!placed) {
        failed(transfer, QStringLiteral("local"), tr("Cannot put %1 in place").arg(transfer.localPath));
        return;
    }
    progress.partPath.clear();
    transfer.sha256 = actual;
    transfer.done = transfer.total;
    m_active = 0;
    m_request = -1;
    setState(transfer, FileTransfer::State::Done, message);
    next();
}

void FileTransferQueue::startUpload(FileTransfer& transfer) {
    auto& slot = m_progress[transfer.id];
    if (!slot)
        slot = std::make_unique<Progress>();
    if (slot->hashed) {
        sendUploadRequest(transfer);
        return;
    }
    // One pass over the file for the whole file's hash and each chunk's, on a worker thread: a large file
    // takes seconds, and the console stays live meanwhile.
    setState(transfer, FileTransfer::State::Preparing, tr("Checking the file…"));
    const int id = transfer.id;
    const QString path = transfer.localPath;
    auto stop = slot->stop;
    auto result = std::make_shared<Progress>();
    m_hashing.start(QRunnable::create([this, id, path, stop, result] {
        QFile file(path);
        QString error;
        if (file.open(QIODevice::ReadOnly)) {
            crypto::Sha256Stream whole;
            QByteArray buffer(static_cast<qsizetype>(kChunk), '\0');
            for (qint64 got = 0; !stop->load() && (got = file.read(buffer.data(), buffer.size())) > 0;) {
                const std::string_view piece(buffer.constData(), static_cast<std::size_t>(got));
                whole.update(piece);
                result->chunkHashes.push_back(crypto::Digest::sha256(piece));
                result->remoteSize += static_cast<quint64>(got);
            }
            result->sha256 = QString::fromLatin1(encoding::hexEncode(whole.finish()).c_str());
        } else {
            error = file.errorString();
        }
        if (stop->load())
            return;
        QMetaObject::invokeMethod(
            this,
            [this, id, stop, result, error] {
                FileTransfer* transfer = find(id);
                const auto it = m_progress.find(id);
                // Only the run that asked: one paused and resumed meanwhile hashes again.
                if (!transfer || m_active != id || it == m_progress.end() || it->second->stop != stop ||
                    it->second->hashed)
                    return;
                if (!error.isEmpty()) {
                    failed(*transfer, QStringLiteral("local"), tr("Cannot read the file: %1").arg(error));
                    return;
                }
                it->second->hashed = true;
                it->second->sha256 = result->sha256;
                it->second->chunkHashes = std::move(result->chunkHashes);
                transfer->total = result->remoteSize;
                sendUploadRequest(*transfer);
            },
            Qt::QueuedConnection);
    }));
}

void FileTransferQueue::sendUploadRequest(FileTransfer& transfer) {
    Progress& progress = *m_progress.at(transfer.id);
    const QString choice = choiceFor(transfer);
    // A resumed upload goes to the name the device gave it the first time (a kept-both copy keeps its name).
    const bool resumed = !progress.remoteName.isEmpty();
    const QByteArray path = resumed ? progress.remoteName : transfer.remotePath;
    const QString conflict = resumed && choice == QStringLiteral("keep_both") ? QStringLiteral("fail")
                             : choice.isEmpty()                               ? QStringLiteral("fail")
                                                                              : choice;
    setState(transfer, FileTransfer::State::Running);
    const int id = transfer.id;
    m_request = m_files.request(
        {{QStringLiteral("type"), QStringLiteral("upload")},
         {QStringLiteral("path"), QString::fromLatin1(path.toBase64())},
         {QStringLiteral("size"), static_cast<qint64>(transfer.total)},
         {QStringLiteral("sha256"), progress.sha256},
         {QStringLiteral("conflict"), conflict}},
        [this, id](const QJsonObject& answer) {
            FileTransfer* transfer = find(id);
            const auto it = m_progress.find(id);
            if (!transfer || m_active != id || it == m_progress.end())
                return false;
            Progress& progress = *it->second;
            if (const QString code = errorCode(answer); !code.isEmpty()) {
                failed(*transfer, code, answer.value(QStringLiteral("message")).toString());
                return false;
            }
            const QString type = answer.value(QStringLiteral("type")).toString();
            if (type == QStringLiteral("upload_ready")) {
                const QByteArray name =
                    QByteArray::fromBase64(answer.value(QStringLiteral("name")).toString().toLatin1());
                const QByteArray folder =
                    transfer->remotePath.left(transfer->remotePath.lastIndexOf('/') + 1);
                if (name.contains('/') || name == "." || name == "..") {
                    stopActive(false);
                    failed(*transfer, QStringLiteral("bad_answer"), tr("The device named the file oddly"));
                    return false;
                }
                progress.remoteName = name.isEmpty() ? transfer->remotePath : folder + name;
                // The chunk size the hashes were worked out for: a device asking for another is not obeyed
                // (one-byte chunks would make a frame per byte).
                if (answer.value(QStringLiteral("chunk")).toInteger(qint64{kChunk}) != qint64{kChunk}) {
                    stopActive(false);
                    failed(*transfer, QStringLiteral("bad_answer"),
                           tr("The device asked for chunks of another size"));
                    return false;
                }
                progress.chunk = kChunk;
                const quint64 chunks = (transfer->total + progress.chunk - 1) / progress.chunk;
                progress.have.assign(chunks, false);
                for (const auto& offset : answer.value(QStringLiteral("have")).toArray()) {
                    const auto at = static_cast<quint64>(offset.toInteger(-1));
                    if (offset.toInteger(-1) >= 0 && at / progress.chunk < chunks)
                        progress.have[at / progress.chunk] = true;
                }
                progress.nextChunk = 0;
                progress.sent =
                    static_cast<quint64>(std::count(progress.have.begin(), progress.have.end(), true)) *
                    progress.chunk;
                transfer->resumedFrom = std::min(progress.sent, transfer->total);
                transfer->done = transfer->resumedFrom;
                progress.file.setFileName(transfer->localPath);
                if (!progress.file.isOpen() && !progress.file.open(QIODevice::ReadOnly)) {
                    stopActive(false);
                    failed(*transfer, QStringLiteral("local"), tr("Cannot read %1").arg(transfer->localPath));
                    return false;
                }
                feed();
                return true;
            }
            // upload_done: in place and verified by the device (its SHA-256 and size those of the file sent),
            // or skipped.
            progress.file.close();
            const bool verified =
                type == QStringLiteral("upload_done") &&
                answer.value(QStringLiteral("sha256")).toString() == progress.sha256 &&
                answer.value(QStringLiteral("size")).toInteger(-1) == static_cast<qint64>(transfer->total);
            if (!answer.value(QStringLiteral("skipped")).toBool() && !verified) {
                stopActive(false);
                failed(*transfer, QStringLiteral("checksum_mismatch"),
                       tr("The device did not confirm the file's SHA-256 and size"));
                return false;
            }
            m_active = 0;
            m_request = -1;
            if (answer.value(QStringLiteral("skipped")).toBool()) {
                setState(*transfer, FileTransfer::State::Skipped, tr("Already there; left as it was"));
            } else {
                transfer->sha256 = answer.value(QStringLiteral("sha256")).toString();
                transfer->done = transfer->total;
                const QByteArray name =
                    QByteArray::fromBase64(answer.value(QStringLiteral("name")).toString().toLatin1());
                setState(*transfer, FileTransfer::State::Done,
                         name.isEmpty() || name == lastName(transfer->remotePath)
                             ? tr("Verified (SHA-256)")
                             : tr("Verified (SHA-256), saved as %1").arg(QString::fromUtf8(name)));
            }
            next();
            return false;
        });
}

void FileTransferQueue::feed() {
    FileTransfer* transfer = find(m_active);
    const auto it = m_progress.find(m_active);
    if (m_feeding || !transfer || it == m_progress.end() ||
        transfer->direction != FileTransfer::Direction::Upload ||
        transfer->state != FileTransfer::State::Running || !it->second->file.isOpen())
        return;
    m_feeding = true;
    Progress& progress = *it->second;
    QByteArray piece(static_cast<qsizetype>(progress.chunk), '\0');
    while (m_files.pendingBytes() < kMostQueued && progress.nextChunk < progress.have.size()) {
        const std::size_t index = progress.nextChunk++;
        if (progress.have[index])
            continue;
        const quint64 offset = index * progress.chunk;
        const qint64 length = static_cast<qint64>(std::min(progress.chunk, transfer->total - offset));
        if (!progress.file.seek(static_cast<qint64>(offset)) ||
            progress.file.read(piece.data(), length) != length) {
            m_feeding = false;
            stopActive(false);
            failed(*transfer, QStringLiteral("local"),
                   tr("The file changed or could not be read while it was sent"));
            return;
        }
        const std::string_view data(piece.constData(), static_cast<std::size_t>(length));
        const std::string hash = progress.chunk == kChunk && index < progress.chunkHashes.size()
                                     ? progress.chunkHashes[index]
                                     : crypto::Digest::sha256(data);
        const auto frame =
            protocol::encodeFileChunk(static_cast<std::uint32_t>(m_request), offset, data, hash);
        m_files.sendChunk(QByteArray(frame.data(), static_cast<qsizetype>(frame.size())));
        progress.sent += static_cast<quint64>(length);
    }
    const auto waiting = static_cast<quint64>(std::max<qint64>(0, m_files.pendingBytes()));
    transfer->done = std::min(transfer->total, progress.sent > waiting ? progress.sent - waiting : 0);
    m_feeding = false;
}

void FileTransferQueue::stopActive(bool discard) {
    if (m_request < 0)
        return;
    m_files.forget(m_request);
    m_files.request({{QStringLiteral("type"), QStringLiteral("cancel")},
                     {QStringLiteral("transfer"), m_request},
                     {QStringLiteral("discard"), discard}},
                    [](const QJsonObject&) { return false; });
    m_request = -1;
}

void FileTransferQueue::pause(int id) {
    FileTransfer* transfer = find(id);
    if (!transfer || transfer->finished() || transfer->state == FileTransfer::State::Paused)
        return;
    if (m_active == id) {
        // What is verified stays (the partial file here, the device's manifest there): resume goes on from
        // it.
        stopActive(false);
        m_active = 0;
        if (const auto it = m_progress.find(id); it != m_progress.end())
            it->second->stop->store(true);
        if (transfer->state == FileTransfer::State::Preparing)
            m_progress.erase(id); // hashing starts over on resume
    }
    setState(*transfer, FileTransfer::State::Paused);
    next();
}

void FileTransferQueue::resume(int id) {
    FileTransfer* transfer = find(id);
    if (!transfer || transfer->state != FileTransfer::State::Paused)
        return;
    if (const auto it = m_progress.find(id); it != m_progress.end())
        it->second->stop = std::make_shared<std::atomic<bool>>(false);
    setState(*transfer, FileTransfer::State::Queued);
    next();
}

void FileTransferQueue::cancel(int id) {
    FileTransfer* transfer = find(id);
    if (!transfer || transfer->finished())
        return;
    if (m_active == id) {
        stopActive(true); // the device drops an upload's partial file
        m_active = 0;
    } else if (transfer->direction == FileTransfer::Direction::Upload && m_progress.contains(id) &&
               !m_progress.at(id)->remoteName.isEmpty() && m_files.state() == RemoteFiles::State::Live) {
        // Paused after it started: its partial file on the device goes too.
        m_files.request(
            {{QStringLiteral("type"), QStringLiteral("discard")},
             {QStringLiteral("path"), QString::fromLatin1(m_progress.at(id)->remoteName.toBase64())}},
            [](const QJsonObject&) { return false; });
    }
    if (const auto it = m_progress.find(id); it != m_progress.end()) {
        it->second->stop->store(true);
        if (!it->second->partPath.isEmpty()) {
            it->second->file.close();
            QFile::remove(it->second->partPath);
        }
    }
    setState(*transfer, FileTransfer::State::Cancelled);
    next();
}

void FileTransferQueue::resolveConflict(int id, const QString& choice, bool forAll) {
    if (forAll)
        m_policy = choice == QStringLiteral("replace")     ? ConflictPolicy::Replace
                   : choice == QStringLiteral("keep_both") ? ConflictPolicy::KeepBoth
                                                           : ConflictPolicy::Skip;
    for (auto& transfer : m_transfers) {
        if (transfer.state != FileTransfer::State::Conflict || (transfer.id != id && !forAll))
            continue;
        transfer.conflict = choice;
        setState(transfer, FileTransfer::State::Queued);
    }
    next();
}

void FileTransferQueue::clearFinished() {
    const auto before = m_transfers.size();
    m_transfers.removeIf([](const FileTransfer& transfer) { return transfer.finished(); });
    if (m_transfers.size() != before)
        Q_EMIT rowsChanged();
}

void FileTransferQueue::onSessionState(RemoteFiles::State state) {
    if (state == RemoteFiles::State::Live) {
        for (auto& transfer : m_transfers)
            if (transfer.state == FileTransfer::State::Waiting)
                setState(transfer, FileTransfer::State::Queued, tr("Resuming…"));
        next();
        return;
    }
    if (state != RemoteFiles::State::Ended)
        return;
    m_active = 0;
    m_request = -1;
    discardPartials();
    for (auto& transfer : m_transfers)
        if (!transfer.finished())
            setState(transfer, FileTransfer::State::Failed,
                     tr("The session ended: %1").arg(m_files.status()));
}

void FileTransferQueue::tick() {
    FileTransfer* transfer = find(m_active);
    if (!transfer) {
        m_tick.stop();
        return;
    }
    if (transfer->direction == FileTransfer::Direction::Upload)
        feed(); // also brings `done` up to what has left
    const double seconds = static_cast<double>(m_sampleClock.restart()) / 1000.0;
    if (seconds > 0 && transfer->done >= m_sampleBytes) {
        const double now = static_cast<double>(transfer->done - m_sampleBytes) / seconds;
        // Smoothed, so the time left does not jump about with every chunk.
        transfer->bytesPerSecond =
            transfer->bytesPerSecond <= 0 ? now : 0.7 * transfer->bytesPerSecond + 0.3 * now;
    }
    m_sampleBytes = transfer->done;
    Q_EMIT transferChanged(rowOf(transfer->id));
}

} // namespace breeze::console
