#include "ApiClient.h"

#include <QNetworkReply>
#include <QNetworkRequest>

namespace breeze::console {

QString ApiReply::refusal() const {
    if (ok())
        return {};
    return errorMessage.isEmpty() ? QObject::tr("The server refused (%1).").arg(status) : errorMessage;
}

ApiClient::ApiClient(QUrl server, const QList<QSslCertificate>& trustedCas, QObject* parent)
    : QObject(parent), m_server(std::move(server)), m_ssl(QSslConfiguration::defaultConfiguration()) {
    m_ssl.setCaCertificates(trustedCas);
    m_ssl.setProtocol(QSsl::TlsV1_2OrLater);
    m_ssl.setPeerVerifyMode(QSslSocket::VerifyPeer);
}

void ApiClient::get(const QString& pathAndQuery, Callback done) {
    send("GET", pathAndQuery, {}, std::move(done));
}

void ApiClient::post(const QString& path, const QJsonObject& body, Callback done) {
    send("POST", path, QJsonDocument(body).toJson(QJsonDocument::Compact), std::move(done));
}

void ApiClient::patch(const QString& path, const QJsonObject& body, Callback done) {
    send("PATCH", path, QJsonDocument(body).toJson(QJsonDocument::Compact), std::move(done));
}

void ApiClient::request(const QString& method, const QString& path, const QJsonObject& body, Callback done) {
    send(method, path, body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact),
         std::move(done));
}

void ApiClient::send(const QString& method, const QString& path, const QByteArray& body, Callback done) {
    QUrl url = m_server;
    const auto question = path.indexOf('?');
    url.setPath(question < 0 ? path : path.left(question));
    if (question >= 0)
        url.setQuery(path.mid(question + 1));
    QNetworkRequest request(url);
    request.setSslConfiguration(m_ssl);
    request.setRawHeader("Accept", "application/json");
    request.setTransferTimeout(30000);
    if (!m_accessToken.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_accessToken.toUtf8());
    if (!body.isEmpty() || method == "POST")
        request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
    QNetworkReply* reply = m_network.sendCustomRequest(request, method.toUtf8(), body);
    ++m_pending;
    connect(reply, &QNetworkReply::finished, this, [this, reply, done = std::move(done)] {
        --m_pending;
        reply->deleteLater();
        ApiReply answer;
        answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray data = reply->readAll();
        if (reply->header(QNetworkRequest::ContentTypeHeader).toString().startsWith("application/json"))
            answer.body = QJsonDocument::fromJson(data);
        else
            answer.raw = data;
        if (answer.status == 0) {
            answer.errorCode = "unreachable";
            answer.errorMessage =
                reply->error() == QNetworkReply::SslHandshakeFailedError
                    ? "the server's certificate is not the one this console trusts: " + reply->errorString()
                    : "cannot reach the server: " + reply->errorString();
        } else if (!answer.ok()) {
            const QJsonObject error = answer.body.object().value("error").toObject();
            answer.errorCode = error.value("code").toString();
            answer.errorMessage = error.value("message").toString(reply->errorString());
        }
        done(answer);
    });
}

} // namespace breeze::console
