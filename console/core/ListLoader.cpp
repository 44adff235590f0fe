#include "ListLoader.h"

#include "ScopedApi.h"
#include "enrollment/AgentInstallCommand.h"

#include <QJsonObject>
#include <QUrlQuery>

namespace breeze::console {

namespace {
void loadFrom(ApiClient& api, const QString& pathAndQuery, const QString& cursor, QJsonArray sofar,
              std::function<void(const QJsonArray&, const QString&)> done) {
    QString path = pathAndQuery + (pathAndQuery.contains('?') ? "&" : "?") + "limit=500";
    if (!cursor.isEmpty())
        path += "&cursor=" + QString::fromUtf8(QUrl::toPercentEncoding(cursor));
    api.get(path, [&api, pathAndQuery, sofar = std::move(sofar),
                   done = std::move(done)](const ApiReply& reply) mutable {
        if (!reply.ok()) {
            done({}, reply.errorMessage);
            return;
        }
        for (const auto& item : reply.object().value("items").toArray())
            sofar.append(item);
        const QString next = reply.object().value("next_cursor").toString();
        if (next.isEmpty())
            done(sofar, {});
        else
            loadFrom(api, pathAndQuery, next, std::move(sofar), std::move(done));
    });
}
} // namespace

void loadAllPages(ApiClient& api, const QString& pathAndQuery,
                  std::function<void(const QJsonArray& items, const QString& error)> done) {
    loadFrom(api, pathAndQuery, {}, {}, std::move(done));
}

void loadAllPages(ScopedApi& api, const QString& pathAndQuery,
                  std::function<void(const QJsonArray& items, const QString& error)> done) {
    loadAllPages(api.client(), pathAndQuery, api.guard(std::move(done)));
}

QString agentInstallCommand(const QUrl& server, const QByteArray& caPem, const QString& enrollmentKey,
                            const QString& packageUrl) {
    return QString::fromStdString(enrollment::agentInstallCommand(
        server.toString(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment).toStdString(),
        caPem.toStdString(), enrollmentKey.toStdString(), packageUrl.toStdString()));
}

} // namespace breeze::console
