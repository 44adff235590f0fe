#pragma once

#include "ApiClient.h"
#include "ScopedApi.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <functional>

namespace breeze::console {

// The kinds of record the console lists, creates, edits and removes through the REST API.
enum class RecordKind {
    Organisation,
    Site,
    DeviceGroup,
    User,
    Role,
    ApiKey,
    EnrollmentKey,
    AuditEvent,
    PatchPolicy,
};

// Narrows the audit log.
struct AuditFilter {
    QString action; // an action or its prefix: "devices." or "auth.login"
    QString result; // success, failure or denied; empty: any
};

struct NewEnrollmentKey {
    QString siteId;
    QString name; // empty: the server names it
    int days = 7;
    int maxUses = 0; // 0: unlimited
};

// The one place that knows the REST paths of administration records and patch policies: every page of a list,
// creating, changing and removing one. Answers come once, with the server's refusal in words.
class RecordClient {
public:
    explicit RecordClient(ApiClient& api) : m_api(api) {}

    using Items = std::function<void(const QJsonArray& items, const QString& error)>;
    using Done = std::function<void(const QJsonObject& answer, const QString& error)>;

    void list(RecordKind kind, Items done);
    void listAudit(const AuditFilter& filter, Items done);
    void create(RecordKind kind, const QJsonObject& body, Done done);
    void update(RecordKind kind, const QString& id, const QJsonObject& body, Done done);
    void remove(RecordKind kind, const QString& id, Done done);
    // Makes the policy apply to an organisation's sites or one site ({"org_id"} or {"site_id"}).
    void assignPolicy(const QString& policyId, const QJsonObject& body, Done done);
    // The new key's secret, shown once; empty with the error when refused.
    void createEnrollmentKey(const NewEnrollmentKey& key,
                             std::function<void(const QString& secret, const QString& error)> done);

    // Who is signed in (the user's id; empty for an API key or when the server cannot say).
    void signedInUserId(std::function<void(const QString& id)> done);
    // Who is signed in, in words: the user's e-mail address or the API key's name.
    void signedInName(std::function<void(const QString& name)> done);

    ApiClient& api() { return m_api.client(); }

private:
    void send(const QString& method, const QString& path, const QJsonObject& body, Done done);

    ScopedApi m_api;
};

// What the console shows of any record: its id, and its name (or e-mail address for a user).
QString recordId(const QJsonObject& record);
// The lists that show records of a changed table (the live channel's tenancy_changed `what`): the table's
// own kind, and those that show its names (a site list names its organisation).
QList<RecordKind> kindsShowing(const QString& changedTable);
QString recordName(const QJsonObject& record);
// The secret in the answer to creating an API key or an enrollment key, shown once.
QString createdSecret(const QJsonObject& answer);

} // namespace breeze::console
