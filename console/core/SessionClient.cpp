#include "SessionClient.h"

#include <QJsonArray>
#include <QJsonObject>

namespace breeze::console {

namespace {
SessionAnswer answerOf(const ApiReply& reply) {
    SessionAnswer answer;
    if (!reply.ok()) {
        answer.error = reply.refusal();
        // No answer, the server busy, or the device offline for now: worth another try. An ended session, a
        // refused permission or a session that is not there: not.
        answer.mayRetry = reply.status == 0 || reply.status >= 500 ||
                          (reply.status == 409 && reply.errorMessage.contains(QStringLiteral("offline")));
        return answer;
    }
    const QJsonObject body = reply.object();
    SessionGrant grant;
    grant.id = body.value(QStringLiteral("id")).toString();
    grant.relayUrl = QUrl(body.value(QStringLiteral("relay_url")).toString());
    grant.token = body.value(QStringLiteral("token")).toString();
    grant.recorded = body.value(QStringLiteral("grants")).toObject().value(QStringLiteral("record")).toBool();
    if (grant.id.isEmpty() || !grant.relayUrl.isValid() || grant.relayUrl.scheme() != QStringLiteral("wss") ||
        grant.token.isEmpty()) {
        answer.error = QStringLiteral("the server's answer names no relay to attach to");
        return answer;
    }
    answer.grant = grant;
    return answer;
}
} // namespace

void SessionClient::openTerminal(const QString& deviceId, const TerminalOptions& options, Done done) {
    QJsonObject body{{QStringLiteral("kind"), QStringLiteral("terminal")},
                     {QStringLiteral("cols"), options.cols},
                     {QStringLiteral("rows"), options.rows}};
    if (!options.user.isEmpty())
        body.insert(QStringLiteral("user"), options.user);
    if (!options.shell.isEmpty())
        body.insert(QStringLiteral("shell"), options.shell);
    m_api.post(QStringLiteral("/api/v1/devices/%1/sessions").arg(deviceId), body,
               [done = std::move(done)](const ApiReply& reply) { done(answerOf(reply)); });
}

void SessionClient::openFiles(const QString& deviceId, const QString& root, Done done) {
    QJsonObject body{{QStringLiteral("kind"), QStringLiteral("files")}};
    if (!root.isEmpty())
        body.insert(QStringLiteral("root"), root);
    m_api.post(QStringLiteral("/api/v1/devices/%1/sessions").arg(deviceId), body,
               [done = std::move(done)](const ApiReply& reply) { done(answerOf(reply)); });
}

void SessionClient::openDesktop(const QString& deviceId, const DesktopOptions& options, Done done) {
    QJsonObject body{{QStringLiteral("kind"), QStringLiteral("desktop")}};
    if (options.viewOnly)
        body.insert(QStringLiteral("view_only"), true);
    if (options.record)
        body.insert(QStringLiteral("record"), true);
    m_api.post(QStringLiteral("/api/v1/devices/%1/sessions").arg(deviceId), body,
               [done = std::move(done)](const ApiReply& reply) { done(answerOf(reply)); });
}

void SessionClient::attach(const QString& sessionId, Done done) {
    m_api.post(QStringLiteral("/api/v1/sessions/%1/attach").arg(sessionId), {},
               [done = std::move(done)](const ApiReply& reply) { done(answerOf(reply)); });
}

void SessionClient::recording(const QString& sessionId,
                              std::function<void(const QByteArray& recording, const QString& error)> done) {
    m_api.get(QStringLiteral("/api/v1/sessions/%1/recording").arg(sessionId),
              [done = std::move(done)](const ApiReply& reply) {
                  done(reply.ok() ? reply.raw : QByteArray(), reply.refusal());
              });
}

void SessionClient::listForDevice(
    const QString& deviceId,
    std::function<void(const QVector<SessionRecord>& sessions, const QString& error)> done) {
    m_api.get(QStringLiteral("/api/v1/sessions?device_id=%1&limit=100").arg(deviceId),
              [done = std::move(done)](const ApiReply& reply) {
                  QVector<SessionRecord> sessions;
                  for (const auto& value : reply.object().value(QStringLiteral("items")).toArray()) {
                      const QJsonObject item = value.toObject();
                      SessionRecord record;
                      record.id = item.value(QStringLiteral("id")).toString();
                      record.kind = item.value(QStringLiteral("kind")).toString();
                      record.state = item.value(QStringLiteral("state")).toString();
                      record.actor = item.value(QStringLiteral("actor")).toString();
                      record.startedAt = item.value(QStringLiteral("started_at")).toString();
                      record.endedAt = item.value(QStringLiteral("ended_at")).toString();
                      record.endReason = item.value(QStringLiteral("end_reason")).toString();
                      record.bytesToDevice = item.value(QStringLiteral("bytes_to_device")).toInteger();
                      record.bytesFromDevice = item.value(QStringLiteral("bytes_from_device")).toInteger();
                      const QJsonObject recording = item.value(QStringLiteral("recording")).toObject();
                      record.recordingBytes = recording.value(QStringLiteral("bytes")).toInteger();
                      const QJsonArray streams = recording.value(QStringLiteral("streams")).toArray();
                      if (!streams.isEmpty())
                          record.recordingMillis =
                              streams.first().toObject().value(QStringLiteral("duration_ms")).toInteger();
                      sessions.push_back(record);
                  }
                  done(sessions, reply.refusal());
              });
}

void SessionClient::close(const QString& sessionId, std::function<void(const QString& error)> done) {
    m_api.request(QStringLiteral("DELETE"), QStringLiteral("/api/v1/sessions/%1").arg(sessionId), {},
                  [done = std::move(done)](const ApiReply& reply) { done(reply.refusal()); });
}

} // namespace breeze::console
