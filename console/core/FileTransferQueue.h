#pragma once

#include "FileTransfer.h"
#include "RemoteFiles.h"

#include <QElapsedTimer>
#include <QFile>
#include <QObject>
#include <QThreadPool>
#include <QTimer>
#include <QVector>
#include <map>
#include <memory>

namespace breeze::console {

// The transfers of one file session, one at a time in order: files and whole folders, down and up. Chunks are
// checked against their SHA-256 as they land and the whole file at the end; at most a few MiB wait here for
// the device's credit, so multi-GB files take no more memory than small ones. A download is written beside
// its target and takes the target's name only once verified. A pause, or a connection that drops, keeps what
// was verified: the transfer resumes from there (downloads from the last whole chunk, uploads from the
// device's manifest of the chunks it has).
class FileTransferQueue : public QObject {
    Q_OBJECT

public:
    // What to do when the target's name is taken.
    enum class ConflictPolicy { Ask, Replace, KeepBoth, Skip };

    explicit FileTransferQueue(RemoteFiles& files, QObject* parent = nullptr);
    ~FileTransferQueue() override;

    // A remote file or folder into `localFolder` under its own name. Returns the transfer's id.
    int download(const QByteArray& remotePath, bool folder, const QString& localFolder);
    // Local files and folders into `remoteFolder`.
    void upload(const QStringList& localPaths, const QByteArray& remoteFolder);
    void pause(int id);
    void resume(int id);
    void cancel(int id);
    // `choice`: replace, keep_both or skip; `forAll`: the same for every later conflict.
    void resolveConflict(int id, const QString& choice, bool forAll);
    void setConflictPolicy(ConflictPolicy policy) { m_policy = policy; }
    ConflictPolicy conflictPolicy() const { return m_policy; }
    void clearFinished();

    const QVector<FileTransfer>& transfers() const { return m_transfers; }
    // Whether a local path is strictly inside `root` once "." and ".." are resolved.
    static bool landsInside(const QString& path, const QString& root);
    const FileTransfer* transfer(int id) const;
    int rowOf(int id) const;

Q_SIGNALS:
    void rowsChanged(); // added or removed
    void transferChanged(int row);
    void conflictRaised(int id);
    void transferFinished(int id);

private:
    struct Progress; // what a transfer keeps between its runs (hashes, the partial file)

    FileTransfer* find(int id);
    int add(FileTransfer transfer);
    void next();
    void startDownload(FileTransfer& transfer);
    void startUpload(FileTransfer& transfer);
    void sendUploadRequest(FileTransfer& transfer);
    void startFolder(FileTransfer& transfer);
    void onDownloadAnswer(int id, const QJsonObject& answer);
    void onChunk(const QByteArray& payload);
    void feed();
    void finishDownload(FileTransfer& transfer);
    void stopActive(bool discard);
    void setState(FileTransfer& transfer, FileTransfer::State state, const QString& message = {});
    // A failure that a reconnect cures (the connection dropped) or not.
    void failed(FileTransfer& transfer, const QString& code, const QString& message);
    void onSessionState(RemoteFiles::State state);
    void tick();
    // Partial downloads removed and hashing stopped: the session or the queue is going.
    void discardPartials();
    QString choiceFor(const FileTransfer& transfer) const;

    RemoteFiles& m_files;
    QVector<FileTransfer> m_transfers;
    std::map<int, std::unique_ptr<Progress>> m_progress;
    int m_nextId = 1;
    int m_active = 0;       // the transfer running now (0: none)
    qint64 m_request = -1;  // its request (and transfer id) on the device
    bool m_feeding = false; // feed() is on the stack
    ConflictPolicy m_policy = ConflictPolicy::Ask;
    QThreadPool m_hashing; // uploads' SHA-256s, off the GUI thread
    QTimer m_tick;         // progress and speed, a few times a second
    QElapsedTimer m_sampleClock;
    quint64 m_sampleBytes = 0;
};

} // namespace breeze::console
