#include "ListLoader.h"

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

QString agentInstallCommand(const QUrl& server, const QByteArray& caPem, const QString& enrollmentKey,
                            const QString& packageUrl) {
    const QString base = server.toString(QUrl::RemovePath | QUrl::StripTrailingSlash);
    const QString package = packageUrl.isEmpty() ? base + "/downloads/breeze-agent_amd64.deb" : packageUrl;
    QString pem = QString::fromLatin1(caPem).trimmed();
    pem.replace("\n", "\\n");
    return QString("printf '%b' '%1\\n' > /tmp/breeze-ca.pem && curl -fsSL --cacert /tmp/breeze-ca.pem -o "
                   "/tmp/breeze-agent.deb '%2' && sudo apt-get install -y /tmp/breeze-agent.deb && sudo "
                   "breeze-agent "
                   "enroll --server '%3' --key '%4' --ca /tmp/breeze-ca.pem && sudo systemctl enable --now "
                   "breeze-agent")
        .arg(pem, package, base, enrollmentKey);
}

} // namespace breeze::console
