#pragma once

#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QNetworkAccessManager>
#include <QObject>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QUrl>
#include <functional>

namespace breeze::console {

// One answer of the REST API: status, JSON body, and the server's {"error":{code,message}} when it refused.
struct ApiReply {
    int status = 0; // 0: no answer (network, TLS)
    QJsonDocument body;
    QByteArray raw; // the body as it came, when it is not JSON (a recording)
    QString errorCode;
    QString errorMessage; // in words for the technician

    bool ok() const { return status >= 200 && status < 300; }
    QJsonObject object() const { return body.object(); }
    // Empty when the server agreed; otherwise its refusal in words (or the status when it gave none).
    QString refusal() const;
};

// Asynchronous JSON over HTTPS to one server, trusting exactly the CA it was given (the pinned one) and
// checking the host name as usual. Each call answers once, on the thread that owns the client.
class ApiClient : public QObject {
    Q_OBJECT

public:
    ApiClient(QUrl server, const QList<QSslCertificate>& trustedCas, QObject* parent = nullptr);

    const QUrl& server() const { return m_server; }
    void setAccessToken(const QString& token) { m_accessToken = token; }
    const QString& accessToken() const { return m_accessToken; }
    // TLS settings that trust the pinned CA only: shared with the console's WebSocket.
    QSslConfiguration sslConfiguration() const { return m_ssl; }

    using Callback = std::function<void(const ApiReply&)>;
    void get(const QString& pathAndQuery, Callback done);
    void post(const QString& path, const QJsonObject& body, Callback done);
    void patch(const QString& path, const QJsonObject& body, Callback done);
    // Any method, for the rest (DELETE): `body` may be empty.
    void request(const QString& method, const QString& path, const QJsonObject& body, Callback done);
    // Requests sent and not answered yet.
    int pending() const { return m_pending; }

private:
    void send(const QString& method, const QString& path, const QByteArray& body, Callback done);

    QUrl m_server;
    QSslConfiguration m_ssl;
    QNetworkAccessManager m_network;
    QString m_accessToken;
    int m_pending = 0;
};

} // namespace breeze::console
