#include "ScriptClient.h"

#include "FleetTreeModel.h"
#include "ListLoader.h"

#include <QJsonObject>
#include <QSet>
#include <QUrlQuery>
#include <memory>

namespace breeze::console {

namespace {
QString scriptPath(const QString& id) {
    return "/api/v1/scripts/" + QString::fromUtf8(QUrl::toPercentEncoding(id));
}

ApiClient::Callback scriptAnswer(ScriptClient::Answer<Script> done) {
    return [done = std::move(done)](const ApiReply& reply) {
        done(reply.ok() ? Script::fromRecord(reply.object()) : Script(), reply.refusal());
    };
}
} // namespace

void ScriptClient::list(Items done) {
    loadAllPages(m_api, "/api/v1/scripts?limit=500", std::move(done));
}

void ScriptClient::script(const QString& id, Answer<Script> done) {
    m_api.get(scriptPath(id), scriptAnswer(std::move(done)));
}

void ScriptClient::save(const Script& script, const QString& note, Answer<Script> done) {
    QJsonObject body = script.record();
    body.remove("id");
    body.remove("version");
    if (script.isSaved())
        body.remove("org_id"); // a script stays in the library it was made in
    if (!note.trimmed().isEmpty())
        body["note"] = note.trimmed();
    if (script.isSaved())
        m_api.patch(scriptPath(script.id), body, scriptAnswer(std::move(done)));
    else
        m_api.post("/api/v1/scripts", body, scriptAnswer(std::move(done)));
}

void ScriptClient::remove(const QString& id, Answer<bool> done) {
    m_api.request("DELETE", scriptPath(id), {},
                  [done = std::move(done)](const ApiReply& reply) { done(reply.ok(), reply.refusal()); });
}

void ScriptClient::versions(const QString& id, Items done) {
    m_api.get(scriptPath(id) + "/versions", [done = std::move(done)](const ApiReply& reply) {
        done(reply.object().value("items").toArray(), reply.refusal());
    });
}

void ScriptClient::versionText(const QString& id, int version, Answer<QString> done) {
    m_api.get(scriptPath(id) + QString("/versions/%1").arg(version),
              [done = std::move(done)](const ApiReply& reply) {
                  done(reply.object().value("content").toString(), reply.refusal());
              });
}

void ScriptClient::restore(const QString& id, int version, Answer<Script> done) {
    m_api.post(scriptPath(id) + QString("/versions/%1/restore").arg(version), QJsonObject{},
               scriptAnswer(std::move(done)));
}

namespace {
QJsonObject runBody(const RunRequest& request) {
    QJsonObject body{{"parameters", QJsonObject::fromVariantMap(request.values)},
                     {"timeout_seconds", request.timeoutSeconds}};
    if (request.version > 0)
        body["version"] = request.version;
    if (!request.target.deviceIds.isEmpty())
        body["device_ids"] = QJsonArray::fromStringList(request.target.deviceIds);
    else if (!request.target.siteId.isEmpty())
        body["site_id"] = request.target.siteId;
    else if (!request.target.groupId.isEmpty())
        body["group_id"] = request.target.groupId;
    return body;
}
} // namespace

void ScriptClient::run(const QString& scriptId, const RunRequest& request, Answer<QJsonObject> done) {
    m_api.post(scriptPath(scriptId) + "/runs", runBody(request),
               [done = std::move(done)](const ApiReply& reply) { done(reply.object(), reply.refusal()); });
}

void ScriptClient::schedule(const QString& scriptId, const RunRequest& request, const RunSchedule& when,
                            Answer<QJsonObject> done) {
    QJsonObject body = runBody(request);
    body["run_at"] = when.at.toOffsetFromUtc(when.at.offsetFromUtc()).toString(Qt::ISODate);
    body["repeat"] = when.repeat;
    body["timezone"] = when.timezone;
    m_api.post(scriptPath(scriptId) + "/schedules", body,
               [done = std::move(done)](const ApiReply& reply) { done(reply.object(), reply.refusal()); });
}

void ScriptClient::schedules(Items done) {
    m_api.get("/api/v1/script-schedules", [done = std::move(done)](const ApiReply& reply) {
        done(reply.object().value("items").toArray(), reply.refusal());
    });
}

void ScriptClient::removeSchedule(const QString& id, Answer<bool> done) {
    m_api.request("DELETE", "/api/v1/script-schedules/" + QString::fromUtf8(QUrl::toPercentEncoding(id)), {},
                  [done = std::move(done)](const ApiReply& reply) { done(reply.ok(), reply.refusal()); });
}

namespace {
QString executionsPath(const ExecutionFilter& filter, int limit) {
    QUrlQuery query;
    query.addQueryItem("limit", QString::number(limit));
    for (const auto& [name, value] :
         {std::pair{"script", filter.scriptId}, std::pair{"status", filter.status},
          std::pair{"user", filter.userId}, std::pair{"device", filter.deviceId},
          std::pair{"org", filter.scope.orgId}, std::pair{"site", filter.scope.siteId}})
        if (!value.isEmpty())
            query.addQueryItem(name, value);
    if (filter.withinHours > 0)
        query.addQueryItem("within_hours", QString::number(filter.withinHours));
    return "/api/v1/script-executions?" + query.toString(QUrl::FullyEncoded);
}
} // namespace

void ScriptClient::executions(const ExecutionFilter& filter, int limit, Items done) {
    m_api.get(executionsPath(filter, limit), [done = std::move(done)](const ApiReply& reply) {
        done(reply.object().value("items").toArray(), reply.refusal());
    });
}

namespace {
// One page of output after the other until the server has none left or the cap is reached.
void fetchOutput(ScopedApi& api, const QString& commandId, const std::shared_ptr<CommandOutput>& output,
                 qsizetype cap, const ScriptClient::Answer<CommandOutput>& done) {
    api.get(QString("/api/v1/commands/%1/output?stdout_offset=%2&stderr_offset=%3")
                .arg(QString::fromUtf8(QUrl::toPercentEncoding(commandId)))
                .arg(output->stdoutBytes.size())
                .arg(output->stderrBytes.size()),
            [&api, commandId, output, cap, done](const ApiReply& reply) {
                if (!reply.ok())
                    return done(*output, reply.refusal());
                const QJsonObject body = reply.object();
                const QByteArray out = QByteArray::fromBase64(body.value("stdout").toString().toLatin1());
                const QByteArray err = QByteArray::fromBase64(body.value("stderr").toString().toLatin1());
                output->stdoutBytes += out;
                output->stderrBytes += err;
                output->truncated =
                    body.value("stdout_truncated").toBool() || body.value("stderr_truncated").toBool();
                const bool more = !out.isEmpty() || !err.isEmpty();
                if (body.value("complete").toBool() || !more)
                    return done(*output, {});
                if (output->stdoutBytes.size() >= cap || output->stderrBytes.size() >= cap) {
                    output->truncated = true;
                    return done(*output, {});
                }
                fetchOutput(api, commandId, output, cap, done);
            });
}
} // namespace

void ScriptClient::output(const QString& commandId, const Answer<CommandOutput>& done, qsizetype cap) {
    fetchOutput(m_api, commandId, std::make_shared<CommandOutput>(), cap, done);
}

void ScriptClient::failedDevices(const FleetScope& scope, int hours, const Answer<QSet<QString>>& done) {
    auto devices = std::make_shared<QSet<QString>>();
    auto left = std::make_shared<int>(2);
    auto refusal = std::make_shared<QString>();
    for (const char* status : {"failed", "timed_out"}) {
        ExecutionFilter filter;
        filter.status = status;
        filter.scope = scope;
        filter.withinHours = hours;
        loadAllPages(m_api, executionsPath(filter, 500),
                     [devices, left, refusal, done](const QJsonArray& items, const QString& error) {
                         for (const auto& item : items)
                             devices->insert(item.toObject().value("device_id").toString());
                         if (!error.isEmpty())
                             *refusal = error;
                         if (--*left == 0)
                             done(*devices, *refusal);
                     });
    }
}

QString executionCreatedAt(const QJsonObject& execution) {
    return execution.value("created_at").toString();
}

QJsonArray schedulesWithTargets(const QJsonArray& schedules, const FleetTreeModel& tree,
                                const DeviceTableModel& devices) {
    const auto nameIn = [](const QVector<TenancyNode>& nodes, const QString& id) {
        for (const auto& node : nodes)
            if (node.id == id)
                return node.name;
        return QString();
    };
    QJsonArray rows;
    for (const auto& item : schedules) {
        QJsonObject schedule = item.toObject();
        const QJsonObject targets = schedule.value("targets").toObject();
        QString target;
        if (targets.contains("site_id")) {
            const QString site = targets.value("site_id").toString();
            QString org;
            for (const auto& node : tree.sites())
                if (node.id == site)
                    org = nameIn(tree.organisations(), node.parentId);
            target = org + " / " + nameIn(tree.sites(), site);
        } else if (targets.contains("group_id")) {
            target = QObject::tr("the group %1")
                         .arg(tree.groups().value(targets.value("group_id").toString()).name);
        } else {
            QStringList names;
            for (const auto& id : targets.value("device_ids").toArray()) {
                const Device* device = devices.device(id.toString());
                names << (device ? (device->hostname.isEmpty() ? device->identity : device->hostname)
                                 : id.toString());
            }
            target = names.join(", ");
        }
        schedule.insert("target", target);
        rows.append(schedule);
    }
    return rows;
}

QString scheduleId(const QJsonObject& schedule) {
    return schedule.value("id").toString();
}

} // namespace breeze::console
