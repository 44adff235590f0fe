// Trust on first use against a real server: the console reads the CA the server presents and its fingerprint
// matches the server's own; once kept, only that CA is trusted for that server, and a different one is
// refused with a warning that says so.
#include "ApiClient.h"
#include "ServerTrust.h"
#include "TestPostgres.h"
#include "TestServer.h"
#include "crypto/CertificateAuthority.h"

#include <QFile>
#include <QStandardPaths>
#include <QtTest>

using namespace breeze;
using namespace breeze::console;

class TestConsoleTrust final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestPostgres> m_postgres;
    std::unique_ptr<test::TestServer> m_server;

    ApiReply healthz(const QList<QSslCertificate>& cas) {
        ApiClient api(QUrl(QString::fromStdString(m_server->url())), cas);
        ApiReply answer;
        bool done = false;
        api.get("/healthz", [&](const ApiReply& reply) {
            answer = reply;
            done = true;
        });
        (void)QTest::qWaitFor([&] { return done; }, 10000);
        return answer;
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true); // QSettings go to a test location, not the user's
        QCoreApplication::setOrganizationName("BreezeTest");
        QCoreApplication::setApplicationName("console-trust");
        m_postgres = std::make_unique<test::TestPostgres>();
        m_server = std::make_unique<test::TestServer>(*m_postgres, "console_trust");
    }

    void theFirstContactShowsTheServersCaAndKeepsIt() {
        const QUrl url(QString::fromStdString(m_server->url()));
        ServerTrust::forget(url);
        QVERIFY(ServerTrust::trusted(url).isEmpty());
        ServerTrust trust;
        QSslCertificate presented;
        QString error;
        bool done = false;
        trust.fetchCa(url, [&](const QSslCertificate& ca, const QString& message) {
            presented = ca;
            error = message;
            done = true;
        });
        QTRY_VERIFY_WITH_TIMEOUT(done, 10000);
        QVERIFY2(!presented.isNull(), qPrintable(error));
        QFile caFile(QString::fromStdString(m_server->caFile()));
        QVERIFY(caFile.open(QIODevice::ReadOnly));
        const QByteArray pem = caFile.readAll();
        // The same fingerprint breeze-agent --ca-sha256 takes (shown with colons, as openssl prints it).
        const QString shown = ServerTrust::fingerprint(presented);
        QCOMPARE(shown.size(), 95);
        QCOMPARE(QString(shown).remove(':').toLower().toStdString(),
                 crypto::CertificateAuthority::sha256Fingerprint(pem.toStdString()));
        ServerTrust::trust(url, presented);
        QCOMPARE(ServerTrust::trusted(url).size(), 1);
        QCOMPARE(healthz(ServerTrust::trusted(url)).status, 200);
    }

    void aDifferentCertificateIsRefusedWithAWarning() {
        // As if the server's certificate had been replaced by one from another CA.
        QFile other("/etc/ssl/certs/ca-certificates.crt");
        QVERIFY(other.open(QIODevice::ReadOnly));
        const auto strangers = QSslCertificate::fromData(other.readAll(), QSsl::Pem).mid(0, 1);
        const auto reply = healthz(strangers);
        QCOMPARE(reply.status, 0);
        QVERIFY2(reply.errorMessage.contains("not the one this console trusts"),
                 qPrintable(reply.errorMessage));
    }
};

QTEST_GUILESS_MAIN(TestConsoleTrust)
#include "TestConsoleTrust.moc"
