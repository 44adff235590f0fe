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
                      const QJsonObject quality = item.value(QStringLiteral("quality")).toObject();
                      if (!quality.isEmpty()) {
                          DesktopQuality q;
                          q.seconds = quality.value(QStringLiteral("seconds")).toDouble();
                          q.codec = quality.value(QStringLiteral("codec")).toString();
                          q.received = quality.value(QStringLiteral("pictures_received")).toInteger();
                          q.decoded = quality.value(QStringLiteral("pictures_decoded")).toInteger();
                          q.dropped = quality.value(QStringLiteral("pictures_dropped")).toInteger();
                          q.bytes = quality.value(QStringLiteral("bytes")).toInteger();
                          q.fps = quality.value(QStringLiteral("fps")).toDouble();
                          q.kbps = quality.value(QStringLiteral("kbps")).toDouble();
                          const QJsonObject latency = quality.value(QStringLiteral("latency_ms")).toObject();
                          q.latencyP50 = latency.value(QStringLiteral("p50")).toDouble();
                          q.latencyP95 = latency.value(QStringLiteral("p95")).toDouble();
                          q.latencyP99 = latency.value(QStringLiteral("p99")).toDouble();
                          q.roundTripMs = quality.value(QStringLiteral("round_trip_ms")).toDouble();
                          q.decodeMs = quality.value(QStringLiteral("decode_ms")).toDouble();
                          record.quality = q;
                      }
                      sessions.push_back(record);
                  }
                  done(sessions, reply.refusal());
              });
}

void SessionClient::reportQuality(const QString& sessionId, const DesktopQuality& quality,
                                  std::function<void(const QString& error)> done) {
    const QJsonObject body{
        {QStringLiteral("seconds"), quality.seconds},
        {QStringLiteral("codec"), quality.codec},
        {QStringLiteral("pictures_received"), quality.received},
        {QStringLiteral("pictures_decoded"), quality.decoded},
        {QStringLiteral("pictures_dropped"), quality.dropped},
        {QStringLiteral("bytes"), quality.bytes},
        {QStringLiteral("fps"), quality.fps},
        {QStringLiteral("kbps"), quality.kbps},
        {QStringLiteral("latency_ms"), QJsonObject{{QStringLiteral("p50"), quality.latencyP50},
                                                   {QStringLiteral("p95"), quality.latencyP95},
                                                   {QStringLiteral("p99"), quality.latencyP99}}},
        {QStringLiteral("round_trip_ms"), quality.roundTripMs},
        {QStringLiteral("decode_ms"), quality.decodeMs}};
    m_api.request(QStringLiteral("PUT"), QStringLiteral("/api/v1/sessions/%1/quality").arg(sessionId), body,
                  [done = std::move(done)](const ApiReply& reply) { done(reply.refusal()); });
}

void SessionClient::close(const QString& sessionId, std::function<void(const QString& error)> done) {
    m_api.request(QStringLiteral("DELETE"), QStringLiteral("/api/v1/sessions/%1").arg(sessionId), {},
                  [done = std::move(done)](const ApiReply& reply) { done(reply.refusal()); });
}

} // namespace breeze::console
