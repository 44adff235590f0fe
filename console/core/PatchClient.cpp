#include "PatchClient.h"

#include "ListLoader.h"

#include <QUrlQuery>
#include <algorithm>

namespace breeze::console {

namespace {
QString encoded(const QString& id) {
    return QString::fromUtf8(QUrl::toPercentEncoding(id));
}

QString commandIdOf(const ApiReply& reply) {
    return reply.object().value("command_id").toString();
}
} // namespace

namespace {
// Words for where a decision comes from.
QString sourceText(const QString& source) {
    if (source == "org")
        return QObject::tr("organisation");
    if (source == "none")
        return QObject::tr("no decision yet");
    return source; // partner, site, device, policy, auto-approval
}

// What the catalog's rows show beside the server's fields: the decision that applies where one looks with
// its source, and a severity the source did not give as "—" with the reason.
QJsonArray withDecisionsAndSeverity(const QJsonArray& items) {
    QJsonArray rows;
    for (const auto& item : items) {
        QJsonObject patch = item.toObject();
        const QJsonObject effective = patch.value("effective").toObject();
        const QString source = effective.value("source").toString("none");
        patch["applies"] = source == "none" ? sourceText(source)
                                            : QString("%1 (%2)").arg(effective.value("decision").toString(),
                                                                     sourceText(source));
        if (patch.value("severity").toString().isEmpty()) {
            patch["severity"] = QString::fromUtf8("—");
            patch["severity_note"] =
                patch.value("manager").toString() == "apt"
                    ? QObject::tr("Debian's and Ubuntu's apt repositories do not rate updates")
                    : QObject::tr("no advisory of the repository rates this update");
        }
        rows.append(patch);
    }
    return rows;
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
    loadAllPages(m_api, "/api/v1/patches?" + query.toString(QUrl::FullyEncoded),
                 [done = std::move(done)](const QJsonArray& items, const QString& error) {
                     done(withDecisionsAndSeverity(items), error);
                 });
}

void PatchClient::decide(const QString& patchId, const PatchDecision& decision, Answer<bool> done) {
    QJsonObject body{{"decision", decision.decision}};
    if (!decision.orgId.isEmpty())
        body["org_id"] = decision.orgId;
    else if (!decision.siteId.isEmpty())
        body["site_id"] = decision.siteId;
    else if (!decision.deviceId.isEmpty())
        body["device_id"] = decision.deviceId;
    if (decision.decision == "deferred")
        body["defer_days"] = decision.deferDays;
    m_api.post("/api/v1/patches/" + encoded(patchId) + "/decision", body,
               [done = std::move(done)](const ApiReply& reply) { done(reply.ok(), reply.refusal()); });
}

namespace {
QJsonObject targetBody(const DeploymentTarget& target) {
    return {{target.kind == DeploymentTarget::Kind::Organisation ? "org_id" : "site_id", target.id}};
}

// "Tue, Thu 22:00 for 120 min (Europe/Berlin)"; "no window" when the policy has none.
QString windowText(const QJsonObject& policy) {
    const QJsonArray days = policy.value("window_days").toArray();
    if (policy.isEmpty() || days.isEmpty())
        return QObject::tr("no window: installs when it is sent");
    static const char* const names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    QStringList dayNames;
    for (const auto& day : days)
        dayNames << QString::fromLatin1(names[std::clamp(day.toInt(), 0, 6)]);
    return QObject::tr("%1 %2 for %3 min (%4)")
        .arg(dayNames.join(", "), policy.value("window_start").toString().left(5),
             QString::number(policy.value("window_minutes").toInt()), policy.value("timezone").toString());
}

QString restartText(const QJsonObject& policy, const QString& chosen) {
    const QString reboot = chosen != "policy" ? chosen : policy.value("reboot").toString("never");
    const QString words = reboot == "always"        ? QObject::tr("always restarts")
                          : reboot == "if_required" ? QObject::tr("restarts if an update needs it")
                                                    : QObject::tr("never restarts");
    return chosen == "policy" ? QObject::tr("%1 (policy)").arg(words) : words;
}
} // namespace

void PatchClient::preview(const DeploymentTarget& target, Answer<DeploymentPreview> done) {
    m_api.post("/api/v1/patch-deployments/preview", targetBody(target),
               [done = std::move(done), reboot = target.reboot](const ApiReply& reply) {
                   if (!reply.ok()) {
                       done({}, reply.refusal());
                       return;
                   }
                   DeploymentPreview preview;
                   for (const auto& item : reply.object().value("devices").toArray()) {
                       const QJsonObject device = item.toObject();
                       const QJsonObject policy = device.value("policy").toObject();
                       QStringList packages;
                       for (const auto& package : device.value("packages").toArray())
                           packages << package.toObject().value("name").toString() + " " +
                                           package.toObject().value("version").toString();
                       preview.rows.append(
                           QJsonObject{{"device", device.value("hostname")},
                                       {"count", static_cast<int>(packages.size())},
                                       {"packages", packages.isEmpty() ? QObject::tr("nothing to install")
                                                                       : packages.join(", ")},
                                       {"window", windowText(policy)},
                                       {"restart", restartText(policy, reboot)}});
                   }
                   preview.devices = reply.object().value("device_count").toInt();
                   preview.installs = reply.object().value("install_count").toInt();
                   done(preview, {});
               });
}

void PatchClient::deploy(const DeploymentTarget& target, Answer<DeploymentStarted> done) {
    QJsonObject body = targetBody(target);
    if (target.at.isValid())
        body["scheduled_at"] = target.at.toUTC().toString(Qt::ISODate);
    if (target.reboot != "policy")
        body["reboot"] = target.reboot;
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
        // Each deployment's state in the words of its detail: the devices' command statuses, counted.
        QJsonArray rows;
        for (const auto& item : reply.object().value("items").toArray()) {
            QJsonObject deployment = item.toObject();
            const QJsonObject statuses = deployment.value("statuses").toObject();
            QStringList counts;
            int open = 0;
            int failed = 0;
            for (auto it = statuses.begin(); it != statuses.end(); ++it) {
                counts << QString("%1 %2").arg(it.value().toInt()).arg(it.key());
                if (it.key() == "pending" || it.key() == "sent" || it.key() == "running")
                    open += it.value().toInt();
                else if (it.key() != "completed")
                    failed += it.value().toInt();
            }
            const int nothing =
                deployment.value("summary").toObject().value("nothing_to_install").toArray().size();
            if (nothing > 0)
                counts << QObject::tr("%1 with nothing to install").arg(nothing);
            deployment["progress"] = counts.join(", ");
            const QString status = deployment.value("status").toString();
            deployment["state"] = status != "queued" ? status
                                  : open > 0         ? QObject::tr("installing")
                                  : failed > 0       ? QObject::tr("finished, %1 failed").arg(failed)
                                                     : QObject::tr("finished");
            rows.append(deployment);
        }
        done(rows, reply.refusal());
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
                  QJsonArray rows;
                  for (const auto& item : body.value("items").toArray()) {
                      QJsonObject patch = item.toObject();
                      const QString source = patch.value("decision_source").toString("none");
                      if (source != "none")
                          patch["decision"] =
                              QString("%1 (%2)").arg(patch.value("decision").toString(), sourceText(source));
                      rows.append(patch);
                  }
                  done({withDecisionsAndSeverity(rows), body.value("reboot_required").toBool(),
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
