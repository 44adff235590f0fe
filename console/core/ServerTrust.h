#pragma once

#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QUrl>
#include <functional>

namespace breeze::console {

// Trust on first use, per server: the first time, the console fetches the certificate chain the server
// presents, shows the technician the CA's SHA-256 fingerprint and, if they accept, keeps that CA for the
// server. From then on only that CA is trusted for it, so a changed certificate is refused (with a clear
// warning) instead of accepted.
class ServerTrust : public QObject {
    Q_OBJECT

public:
    explicit ServerTrust(QObject* parent = nullptr) : QObject(parent) {}

    // The CA kept for this server, if any.
    static QList<QSslCertificate> trusted(const QUrl& server);
    static void trust(const QUrl& server, const QSslCertificate& ca);
    static void forget(const QUrl& server);
    // "AB:CD:…" (SHA-256), as the admin CLI and breeze-agent --ca-sha256 print it.
    static QString fingerprint(const QSslCertificate& certificate);

    // Connects without verifying (nothing is sent) and reports the last certificate of the chain: the CA to
    // show.
    void fetchCa(const QUrl& server,
                 std::function<void(const QSslCertificate& ca, const QString& error)> done);
};

} // namespace breeze::console
