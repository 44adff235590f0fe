#include "ServerTrust.h"

#include <QCryptographicHash>
#include <QSettings>
#include <QSslSocket>

namespace breeze::console {

namespace {
QString keyFor(const QUrl& server) {
    return "trust/" + server.host() + "_" + QString::number(server.port(443));
}
} // namespace

QList<QSslCertificate> ServerTrust::trusted(const QUrl& server) {
    return QSslCertificate::fromData(QSettings().value(keyFor(server)).toByteArray(), QSsl::Pem);
}

void ServerTrust::trust(const QUrl& server, const QSslCertificate& ca) {
    QSettings().setValue(keyFor(server), ca.toPem());
}

void ServerTrust::forget(const QUrl& server) {
    QSettings().remove(keyFor(server));
}

QString ServerTrust::fingerprint(const QSslCertificate& certificate) {
    const QByteArray digest = certificate.digest(QCryptographicHash::Sha256).toHex().toUpper();
    QString text;
    for (int i = 0; i < digest.size(); i += 2)
        text += (i ? ":" : "") + QString::fromLatin1(digest.mid(i, 2));
    return text;
}

void ServerTrust::fetchCa(const QUrl& server,
                          std::function<void(const QSslCertificate& ca, const QString& error)> done) {
    auto* socket = new QSslSocket(this);
    // Only looking: the chain is read during the handshake and the connection is dropped before anything is
    // sent.
    socket->setPeerVerifyMode(QSslSocket::QueryPeer);
    auto finish = std::make_shared<bool>(false);
    auto complete = [socket, finish, done = std::move(done)](const QString& error) {
        if (*finish)
            return;
        *finish = true;
        const auto chain = socket->peerCertificateChain();
        done(chain.isEmpty() ? QSslCertificate() : chain.last(),
             chain.isEmpty() && error.isEmpty() ? QString("the server presented no certificate") : error);
        socket->abort();
        socket->deleteLater();
    };
    connect(socket, &QSslSocket::encrypted, this, [complete] { complete({}); });
    connect(socket, &QSslSocket::errorOccurred, this,
            [socket, complete] { complete(socket->errorString()); });
    socket->connectToHostEncrypted(server.host(), static_cast<quint16>(server.port(443)));
}

} // namespace breeze::console
