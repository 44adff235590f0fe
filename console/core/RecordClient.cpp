#include "RecordClient.h"

#include "ListLoader.h"

#include <QUrlQuery>

namespace breeze::console {

namespace {
QString collection(RecordKind kind) {
    switch (kind) {
    case RecordKind::Organisation:
        return "/api/v1/orgs";
    case RecordKind::Site:
        return "/api/v1/sites";
    case RecordKind::DeviceGroup:
        return "/api/v1/groups";
    case RecordKind::User:
        return "/api/v1/users";
    case RecordKind::Role:
        return "/api/v1/roles";
    case RecordKind::ApiKey:
        return "/api/v1/api-keys";
    case RecordKind::EnrollmentKey:
        return "/api/v1/enrollment-keys";
    case RecordKind::AuditEvent:
        return "/api/v1/audit";
    case RecordKind::PatchPolicy:
        return "/api/v1/patch-policies";
    }
    return {};
}

QString member(RecordKind kind, const QString& id) {
    return collection(kind) + "/" + QString::fromUtf8(QUrl::toPercentEncoding(id));
}
} // namespace

void RecordClient::list(RecordKind kind, Items done) {
    loadAllPages(m_api, collection(kind), std::move(done));
}

void RecordClient::listAudit(const AuditFilter& filter, Items done) {
    QUrlQuery query;
    if (!filter.action.trimmed().isEmpty())
        query.addQueryItem("action", filter.action.trimmed());
    if (!filter.result.isEmpty())
        query.addQueryItem("result", filter.result);
    const QString path = collection(RecordKind::AuditEvent);
    loadAllPages(m_api, query.isEmpty() ? path : path + "?" + query.toString(QUrl::FullyEncoded),
                 std::move(done));
}

void RecordClient::send(const QString& method, const QString& path, const QJsonObject& body, Done done) {
    m_api.request(method, path, body, [done = std::move(done)](const ApiReply& reply) {
        done(reply.ok() ? reply.object() : QJsonObject(), reply.refusal());
    });
}

void RecordClient::create(RecordKind kind, const QJsonObject& body, Done done) {
    send("POST", collection(kind), body, std::move(done));
}

void RecordClient::update(RecordKind kind, const QString& id, const QJsonObject& body, Done done) {
    send("PATCH", member(kind, id), body, std::move(done));
}

void RecordClient::remove(RecordKind kind, const QString& id, Done done) {
    send("DELETE", member(kind, id), {}, std::move(done));
}

void RecordClient::assignPolicy(const QString& policyId, const QJsonObject& body, Done done) {
    send("POST", member(RecordKind::PatchPolicy, policyId) + "/assignments", body, std::move(done));
}

void RecordClient::createEnrollmentKey(const NewEnrollmentKey& key,
                                       std::function<void(const QString&, const QString&)> done) {
    QJsonObject body{{"site_id", key.siteId}, {"expires_in_seconds", key.days * 86400}};
    if (key.maxUses > 0)
        body["max_uses"] = key.maxUses;
    if (!key.name.trimmed().isEmpty())
        body["name"] = key.name.trimmed();
    create(RecordKind::EnrollmentKey, body,
           [done = std::move(done)](const QJsonObject& answer, const QString& error) {
               done(createdSecret(answer), error);
           });
}

void RecordClient::signedInUserId(std::function<void(const QString&)> done) {
    m_api.get("/api/v1/auth/me", [done = std::move(done)](const ApiReply& reply) {
        done(reply.object().value("kind").toString() == "user" ? reply.object().value("id").toString()
                                                               : QString());
    });
}

void RecordClient::signedInName(std::function<void(const QString&)> done) {
    m_api.get("/api/v1/auth/me", [done = std::move(done)](const ApiReply& reply) {
        const QJsonObject me = reply.object();
        done(me.value("email").toString(me.value("name").toString()));
    });
}

QString recordId(const QJsonObject& record) {
    return record.value("id").toString();
}

QString recordName(const QJsonObject& record) {
    return record.value("name").toString(record.value("email").toString());
}

QString createdSecret(const QJsonObject& answer) {
    return answer.value("key").toString();
}

QList<RecordKind> kindsShowing(const QString& changedTable) {
    if (changedTable == "organizations")
        return {RecordKind::Organisation, RecordKind::Site, RecordKind::DeviceGroup, RecordKind::ApiKey,
                RecordKind::EnrollmentKey};
    if (changedTable == "sites")
        return {RecordKind::Site, RecordKind::DeviceGroup, RecordKind::EnrollmentKey};
    if (changedTable == "device_groups")
        return {RecordKind::DeviceGroup};
    if (changedTable == "enrollment_keys")
        return {RecordKind::EnrollmentKey};
    if (changedTable == "api_keys")
        return {RecordKind::ApiKey};
    return {};
}

} // namespace breeze::console
