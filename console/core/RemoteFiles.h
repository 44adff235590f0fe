#pragma once

#include "RelaySession.h"

#include <QHash>
#include <QObject>
#include <QVector>
#include <functional>
#include <optional>

namespace breeze::console {

// One entry of a remote folder. Names are the device's bytes (not always UTF-8); show them with
// displayName().
struct RemoteFileEntry {
    QByteArray name;
    QString type; // file, dir, link, other
    quint64 size = 0;
    qint64 mtime = 0; // seconds since the epoch
    int mode = 0;
    QString owner, group;
    QByteArray target; // a link's
    QString displayName() const { return QString::fromUtf8(name); }
    bool isDir() const { return type == QStringLiteral("dir"); }
};

// A file session as the console keeps it: asks the server for it, attaches to the relay, and carries the
// session's requests and answers (paths as the device's bytes). When the connection drops it attaches again
// by itself; requests that were waiting are answered with the code "disconnected", so their callers try again
// once the session is live (transfers resume from what the device has).
class RemoteFiles : public RelaySession {
    Q_OBJECT

public:
    RemoteFiles(ApiClient& api, QString deviceId, QObject* parent = nullptr);
    ~RemoteFiles() override;

    // `root`: a folder to keep the session inside; empty for what the role allows.
    void start(const QString& root = {});
    // As the device granted them (ready message).
    const QString& root() const { return m_root; }
    bool mayDownload() const { return m_download; }
    bool mayUpload() const { return m_upload; }
    bool mayRemove() const { return m_remove; }

    // `code` empty: done. Otherwise the device's refusal code (not_found, exists, denied, …) and its words.
    using Done = std::function<void(const QString& code, const QString& error)>;
    // `code`: empty when listed; "disconnected" when the connection dropped meanwhile (worth another try).
    using Listed = std::function<void(const QVector<RemoteFileEntry>& entries, const QString& code,
                                      const QString& error)>;
    void list(const QByteArray& path, bool hidden, Listed done);
    void mkdir(const QByteArray& path, Done done);
    void rename(const QByteArray& from, const QByteArray& to, Done done);
    void remove(const QByteArray& path, bool recursive, Done done);

    // For transfers: a request whose every answer (there may be several) goes to `answer` until it returns
    // false. Returns the request's id (a transfer's id on the device).
    using Answer = std::function<bool(const QJsonObject& answer)>;
    qint64 request(QJsonObject request, Answer answer);
    void forget(qint64 id) { m_waiting.remove(id); }
    void sendChunk(const QByteArray& payload);
    // Bytes waiting here for the device's credit.
    qint64 pendingBytes() { return link().pendingBytes(); }
    // A received chunk has been written: the device may send as much again.
    void consumed(qint64 bytes) { link().consumed(bytes); }

    // An entry of a listing as the device sent it, or none when its name is not a name: a device that sends
    // "..", "." or a path could otherwise steer where a downloaded folder's files land on this computer.
    static std::optional<RemoteFileEntry> entryOf(const QJsonObject& item);

Q_SIGNALS:
    void chunkReceived(const QByteArray& payload);
    void sendable(); // queued chunks went out

private:
    void onControl(const QJsonObject& control);
    void onClosed(const QString& reason);
    void failWaiting(const QString& why);

    QString m_root;
    bool m_download = false, m_upload = false, m_remove = false;
    qint64 m_nextId = 1;
    QHash<qint64, Answer> m_waiting;
};

} // namespace breeze::console
