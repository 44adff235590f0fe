#include "PatchClient.h"

#include "ListLoader.h"

#include <QUrlQuery>

namespace breeze::console {

namespace {
QString encoded(const QString& id) {
    return QString::fromUtf8(QUrl::toPercentEncoding(id));
}

QString commandIdOf(const ApiReply& reply) {
    return reply.object().value("command_id").toString();
}
} // namespace

void PatchClient::patches(const PatchFilter& filter, Items done) {
    QUrlQuery query;
    query.addQueryItem("limit", "500");
    if (!filter.search.trimmed().isEmpty())
        query.addQueryItem("q", filter.search.trimmed());
    if (filter.securityOnly)
        query.addQueryItem("security", "true");
    if (!filter.state.isEmpty())
        query.addQueryItem("state", filter.state);
    if (!filter.scope.orgId.isEmpty())
        query.addQueryItem("org", filter.scope.orgId);
    if (!filter.scope.siteId.isEmpty())
        query.addQueryItem("site", filter.scope.siteId);
    loadAllPages(m_api, "/api/v1/patches?" + query.toString(QUrl::FullyEncoded), std::move(done));
}

void PatchClient::decide(const QString& patchId, const PatchDecision& decision, Answer<bool> done) {
    QJsonObject body{{"decision", decision.decision}};
    if (!decision.orgId.isEmpty())
        body["org_id"] = decision.orgId;
    if (decision.decision == "deferred")
        body["defer_days"] = decision.deferDays;
    m_api.post("/api/v1/patches/" + encoded(patchId) + "/decision", body,
               [done = std::move(done)](const ApiReply& reply) { done(reply.ok(), reply.refusal()); });
}

void PatchClient::deploy(const DeploymentTarget& target, Answer<DeploymentStarted> done) {
    QJsonObject body;
    body[target.kind == DeploymentTarget::Kind::Organisation ? "org_id" : "site_id"] = target.id;
    if (target.at.isValid())
        body["scheduled_at"] = target.at.toUTC().toString(Qt::ISODate);
    m_api.post("/api/v1/patch-deployments", body, [done = std::move(done)](const ApiReply& reply) {
        if (!reply.ok()) {
            done({}, reply.refusal());
            return;
        }
        const QJsonObject deployment = reply.object();
        done({deployment.value("status").toString() == "scheduled",
              deployment.value("scheduled_at").toString(),
              static_cast<int>(deployment.value("summary").toObject().value("queued").toArray().size())},
             {});
    });
}

void PatchClient::deployments(Items done) {
    m_api.get("/api/v1/patch-deployments?limit=100", [done = std::move(done)](const ApiReply& reply) {
        done(reply.object().value("items").toArray(), reply.refusal());
    });
}

void PatchClient::deploymentOutcome(const QString& deploymentId, Items done) {
    m_api.get("/api/v1/patch-deployments/" + encoded(deploymentId),
              [done = std::move(done)](const ApiReply& reply) {
                  if (!reply.ok()) {
                      done({}, reply.refusal());
                      return;
                  }
                  QJsonArray rows;
                  for (const auto& value : reply.object().value("devices").toArray()) {
                      const QJsonObject device = value.toObject();
                      for (const auto& result : device.value("results").toArray()) {
                          QJsonObject row = result.toObject();
                          row["hostname"] = device.value("hostname");
                          rows.append(row);
                      }
                      if (device.value("results").toArray().isEmpty())
                          rows.append(QJsonObject{{"hostname", device.value("hostname")},
                                                  {"status", device.value("status")}});
                  }
                  done(rows, {});
              });
}

void PatchClient::compliance(const FleetScope& scope, Answer<PatchCompliance> done) {
    QUrlQuery query;
    if (!scope.orgId.isEmpty())
        query.addQueryItem("org", scope.orgId);
    if (!scope.siteId.isEmpty())
        query.addQueryItem("site", scope.siteId);
    const QString path = "/api/v1/patch-compliance";
    m_api.get(query.isEmpty() ? path : path + "?" + query.toString(QUrl::FullyEncoded),
              [done = std::move(done)](const ApiReply& reply) {
                  if (!reply.ok()) {
                      done({}, reply.refusal());
                      return;
                  }
                  PatchCompliance compliance;
                  for (const auto& value : reply.object().value("sites").toArray()) {
                      const QJsonObject site = value.toObject();
                      compliance.sites.append({site.value("site_name").toString(),
                                               site.value("share").toDouble(),
                                               site.value("by_severity")
                                                   .toObject()
                                                   .value("security")
                                                   .toObject()
                                                   .value("share")
                                                   .toDouble()});
                  }
                  const QJsonObject total = reply.object().value("total").toObject();
                  compliance.fullyPatched = total.value("fully_patched").toInt();
                  compliance.scanned = total.value("scanned").toInt();
                  done(compliance, {});
              });
}

void PatchClient::devicePatches(const QString& deviceId, Answer<DevicePatchList> done) {
    m_api.get("/api/v1/devices/" + encoded(deviceId) + "/patches",
              [done = std::move(done)](const ApiReply& reply) {
                  if (!reply.ok()) {
                      done({}, reply.refusal());
                      return;
                  }
                  const QJsonObject body = reply.object();
                  done({body.value("items").toArray(), body.value("reboot_required").toBool(),
                        body.value("scanned_at").toString()},
                       {});
              });
}

void PatchClient::scan(const QString& deviceId, Answer<QString> done) {
    m_api.post(
        "/api/v1/devices/" + encoded(deviceId) + "/patch-scan", QJsonObject{},
        [done = std::move(done)](const ApiReply& reply) { done(commandIdOf(reply), reply.refusal()); });
}

void PatchClient::rollBack(const QString& deviceId, const QString& patchId, Answer<QString> done) {
    m_api.post(
        "/api/v1/devices/" + encoded(deviceId) + "/patches/" + encoded(patchId) + "/rollback", QJsonObject{},
        [done = std::move(done)](const ApiReply& reply) { done(commandIdOf(reply), reply.refusal()); });
}

void PatchClient::command(const QString& commandId, Answer<CommandProgress> done) {
    m_api.get("/api/v1/commands/" + encoded(commandId), [done = std::move(done)](const ApiReply& reply) {
        done({reply.object().value("status").toString(), reply.object().value("error").toString()},
             reply.refusal());
    });
}

QString patchId(const QJsonObject& patch) {
    return patch.value("id").toString();
}

QString patchName(const QJsonObject& patch) {
    return patch.value("name").toString();
}

} // namespace breeze::console
