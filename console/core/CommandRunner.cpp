#include "CommandRunner.h"

#include "LiveChannel.h"

namespace breeze::console {

namespace {
bool isFinal(const QString& status) {
    return status == "completed" || status == "failed" || status == "timed_out" || status == "cancelled";
}
} // namespace

CommandRunner::CommandRunner(ApiClient& api, LiveChannel& live, QObject* parent)
    : QObject(parent), m_api(api) {
    connect(&live, &LiveChannel::deviceEvent, this, [this](const QJsonObject& event) {
        if (event.value("kind").toString() != "command")
            return;
        const QJsonObject detail = event.value("detail").toObject();
        const QString id = detail.value("command_id").toString();
        if (m_open.contains(id) && isFinal(detail.value("status").toString()))
            check(id);
    });
    m_poll.setInterval(3000);
    connect(&m_poll, &QTimer::timeout, this, [this] {
        for (const auto& id : m_open.keys())
            check(id);
    });
}

void CommandRunner::send(const QString& deviceId, const QString& type, const QJsonObject& args,
                         const QString& tag) {
    m_api.post("/api/v1/devices/" + deviceId + "/commands", {{"type", type}, {"args", args}},
               [this, tag](const ApiReply& reply) {
                   if (!reply.ok()) {
                       Q_EMIT refused(tag, reply.errorMessage);
                       return;
                   }
                   const QJsonObject command = reply.object();
                   m_open.insert(command.value("id").toString(), tag);
                   if (!m_poll.isActive())
                       m_poll.start();
                   Q_EMIT queued(tag, command);
               });
}

void CommandRunner::check(const QString& commandId) {
    m_api.get("/api/v1/commands/" + commandId, [this, commandId](const ApiReply& reply) {
        if (!reply.ok() || !m_open.contains(commandId))
            return;
        const QJsonObject command = reply.object();
        if (!isFinal(command.value("status").toString()))
            return;
        const QString tag = m_open.take(commandId);
        if (m_open.isEmpty())
            m_poll.stop();
        Q_EMIT finished(tag, command);
    });
}

} // namespace breeze::console
