#include "RemoteFiles.h"

#include "protocol/SessionMessages.h"
#include "protocol/StreamFrame.h"

#include <QJsonArray>
#include <QTimer>
#include <optional>

namespace breeze::console {

namespace {
QString path64(const QByteArray& path) {
    return QString::fromLatin1(path.toBase64());
}

bool isError(const QJsonObject& answer) {
    return answer.value(QStringLiteral("type")).toString() == QStringLiteral("error");
}

// The agent's word for a folder's size: as many entries as it lists at most.
constexpr qsizetype kMostEntries = 100'000;

} // namespace

std::optional<RemoteFileEntry> RemoteFiles::entryOf(const QJsonObject& item) {
    RemoteFileEntry entry;
    entry.name = QByteArray::fromBase64(item.value(QStringLiteral("name")).toString().toLatin1());
    if (entry.name.isEmpty() || entry.name == "." || entry.name == ".." || entry.name.contains('/') ||
        entry.name.contains('\0') || entry.name.size() > 255)
        return std::nullopt;
    entry.type = item.value(QStringLiteral("type")).toString(QStringLiteral("other"));
    entry.size = static_cast<quint64>(std::max<qint64>(0, item.value(QStringLiteral("size")).toInteger()));
    entry.mtime = item.value(QStringLiteral("mtime")).toInteger();
    entry.mode = item.value(QStringLiteral("mode")).toInt();
    entry.owner = item.value(QStringLiteral("owner")).toString();
    entry.group = item.value(QStringLiteral("group")).toString();
    entry.target = QByteArray::fromBase64(item.value(QStringLiteral("target")).toString().toLatin1());
    if (entry.type != QStringLiteral("file") && entry.type != QStringLiteral("dir") &&
        entry.type != QStringLiteral("link"))
        entry.type = QStringLiteral("other");
    return entry;
}

RemoteFiles::RemoteFiles(ApiClient& api, QString deviceId, QObject* parent)
    : RelaySession(api, std::move(deviceId), protocol::initialWindow(protocol::SessionKind::Files), parent) {
    connect(&link(), &RelayLink::dataReceived, this, [this](int kind, const QByteArray& data) {
        if (kind == static_cast<int>(protocol::StreamKind::FileChunk))
            Q_EMIT chunkReceived(data); // credited back once written (consumed())
        else
            link().consumed(data.size());
    });
    connect(&link(), &RelayLink::controlReceived, this, &RemoteFiles::onControl);
    connect(&link(), &RelayLink::closed, this, &RemoteFiles::onClosed);
    connect(&link(), &RelayLink::flushed, this, &RemoteFiles::sendable);
}

RemoteFiles::~RemoteFiles() {
    m_waiting.clear(); // no callbacks into owners that are going too
}

void RemoteFiles::start(const QString& root) {
    begin(tr("Opening a file session…"), [this, root](SessionClient& client, SessionClient::Done done) {
        client.openFiles(deviceId(), root, std::move(done));
    });
}

void RemoteFiles::onControl(const QJsonObject& control) {
    const QString type = control.value(QStringLiteral("type")).toString();
    if (type == QStringLiteral("ready")) {
        m_root = control.value(QStringLiteral("root")).toString();
        m_download = control.value(QStringLiteral("download")).toBool();
        m_upload = control.value(QStringLiteral("upload")).toBool();
        m_remove = control.value(QStringLiteral("remove")).toBool();
        setState(State::Live);
        return;
    }
    if (type == QStringLiteral("closed")) {
        setState(State::Ended, control.value(QStringLiteral("reason")).toString());
        failWaiting(tr("the session ended"));
        return;
    }
    const auto id = control.value(QStringLiteral("id")).toInteger(-1);
    const auto it = m_waiting.find(id);
    if (it == m_waiting.end())
        return;
    const Answer answer = it.value(); // the handler may add or forget requests
    if (!answer(control))
        m_waiting.remove(id);
}

void RemoteFiles::onClosed(const QString& reason) {
    lost(reason);
    // Answered once the state says so: a caller trying again waits for the session to be live.
    failWaiting(reason);
}

void RemoteFiles::failWaiting(const QString& why) {
    const auto waiting = std::exchange(m_waiting, {});
    const QJsonObject error{{QStringLiteral("type"), QStringLiteral("error")},
                            {QStringLiteral("code"), QStringLiteral("disconnected")},
                            {QStringLiteral("message"), why}};
    for (const auto& answer : waiting)
        answer(error);
}

qint64 RemoteFiles::request(QJsonObject request, Answer answer) {
    const qint64 id = m_nextId++;
    if (state() != State::Live) {
        // Answered from the event loop, never from inside the call: the caller has the id first.
        const QJsonObject refusal{
            {QStringLiteral("type"), QStringLiteral("error")},
            {QStringLiteral("code"), QStringLiteral("disconnected")},
            {QStringLiteral("message"), status().isEmpty() ? tr("not connected") : status()}};
        QTimer::singleShot(0, this, [answer = std::move(answer), refusal] { answer(refusal); });
        return id;
    }
    request.insert(QStringLiteral("id"), id);
    m_waiting.emplace(id, std::move(answer));
    link().sendControl(request);
    return id;
}

void RemoteFiles::list(const QByteArray& path, bool hidden, Listed done) {
    auto entries = std::make_shared<QVector<RemoteFileEntry>>();
    request({{QStringLiteral("type"), QStringLiteral("list")},
             {QStringLiteral("path"), path64(path)},
             {QStringLiteral("hidden"), hidden}},
            [entries, done = std::move(done)](const QJsonObject& page) {
                if (isError(page)) {
                    done({}, page.value(QStringLiteral("code")).toString(QStringLiteral("error")),
                         page.value(QStringLiteral("message")).toString());
                    return false;
                }
                for (const auto& item : page.value(QStringLiteral("entries")).toArray())
                    if (auto entry = entryOf(item.toObject()))
                        entries->push_back(std::move(*entry));
                if (entries->size() > kMostEntries) {
                    done({}, QStringLiteral("too_many"),
                         tr("the folder holds more than %1 entries").arg(kMostEntries));
                    return false;
                }
                if (page.value(QStringLiteral("more")).toBool())
                    return true;
                done(*entries, {}, {});
                return false;
            });
}

namespace {
RemoteFiles::Answer oneAnswer(RemoteFiles::Done done) {
    return [done = std::move(done)](const QJsonObject& answer) {
        if (isError(answer))
            done(answer.value(QStringLiteral("code")).toString(QStringLiteral("error")),
                 answer.value(QStringLiteral("message")).toString());
        else
            done({}, {});
        return false;
    };
}
} // namespace

void RemoteFiles::mkdir(const QByteArray& path, Done done) {
    request({{QStringLiteral("type"), QStringLiteral("mkdir")}, {QStringLiteral("path"), path64(path)}},
            oneAnswer(std::move(done)));
}

void RemoteFiles::rename(const QByteArray& from, const QByteArray& to, Done done) {
    request({{QStringLiteral("type"), QStringLiteral("rename")},
             {QStringLiteral("from"), path64(from)},
             {QStringLiteral("to"), path64(to)}},
            oneAnswer(std::move(done)));
}

void RemoteFiles::remove(const QByteArray& path, bool recursive, Done done) {
    request({{QStringLiteral("type"), QStringLiteral("delete")},
             {QStringLiteral("path"), path64(path)},
             {QStringLiteral("recursive"), recursive}},
            oneAnswer(std::move(done)));
}

void RemoteFiles::sendChunk(const QByteArray& payload) {
    link().send(static_cast<int>(protocol::StreamKind::FileChunk), payload);
}

} // namespace breeze::console
