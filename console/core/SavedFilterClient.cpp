#include "SavedFilterClient.h"

#include <QJsonArray>
#include <QJsonObject>
#include <utility>

namespace breeze::console {

namespace {
using Condition = DeviceFilterModel::Condition;
constexpr std::pair<Condition, const char*> kNames[] = {
    {Condition::Online, "online"},
    {Condition::Offline, "offline"},
    {Condition::NeedsReboot, "needs_reboot"},
    {Condition::DiskOver90, "disk_over_90"},
    {Condition::PatchesMissing, "patches_missing"},
    {Condition::PatchesFailed, "patches_failed"},
    {Condition::Listed, "scripts_failed"},
};

SavedFilter fromJson(const QJsonObject& json) {
    const QJsonObject definition = json.value("definition").toObject();
    return {json.value("id").toString(),
            json.value("name").toString(),
            definition.value("search").toString(),
            SavedFilterClient::conditionNamed(definition.value("condition").toString()),
            {definition.value("org_id").toString(), definition.value("site_id").toString(),
             definition.value("group_id").toString()}};
}
} // namespace

QString SavedFilterClient::conditionName(Condition condition) {
    for (const auto& [each, name] : kNames)
        if (each == condition)
            return name;
    return {};
}

Condition SavedFilterClient::conditionNamed(const QString& name) {
    for (const auto& [each, text] : kNames)
        if (name == text)
            return each;
    return Condition::Any;
}

void SavedFilterClient::list(Answer<QList<SavedFilter>> done) {
    m_api.get("/api/v1/me/device-filters", [done = std::move(done)](const ApiReply& reply) {
        QList<SavedFilter> filters;
        for (const auto& item : reply.object().value("items").toArray())
            filters << fromJson(item.toObject());
        done(filters, reply.refusal());
    });
}

void SavedFilterClient::save(const SavedFilter& filter, Answer<SavedFilter> done) {
    QJsonObject definition;
    if (!filter.search.trimmed().isEmpty())
        definition["search"] = filter.search.trimmed();
    if (filter.condition != Condition::Any)
        definition["condition"] = conditionName(filter.condition);
    for (const auto& [key, id] :
         {std::pair{"org_id", filter.scope.orgId}, std::pair{"site_id", filter.scope.siteId},
          std::pair{"group_id", filter.scope.groupId}})
        if (!id.isEmpty())
            definition[key] = id;
    m_api.post(
        "/api/v1/me/device-filters", {{"name", filter.name}, {"definition", definition}},
        [done = std::move(done)](const ApiReply& reply) { done(fromJson(reply.object()), reply.refusal()); });
}

void SavedFilterClient::remove(const QString& id, Answer<bool> done) {
    m_api.request("DELETE", "/api/v1/me/device-filters/" + QString::fromUtf8(QUrl::toPercentEncoding(id)), {},
                  [done = std::move(done)](const ApiReply& reply) { done(reply.ok(), reply.refusal()); });
}

} // namespace breeze::console
