#include "ConsoleFixture.h"

#include "ConsoleConnection.h"

#include <QFile>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QTest>

namespace breeze::test {

namespace {
QList<QSslCertificate> serverCa(const TestServer& server) {
    QFile ca(QString::fromStdString(server.caFile()));
    if (!ca.open(QIODevice::ReadOnly))
        throw std::runtime_error("console fixture: cannot read the test server's CA");
    return QSslCertificate::fromData(ca.readAll());
}

void startSignIn(console::SignInSession& session, const AdminCredentials& admin) {
    session.signIn(QString::fromStdString(admin.email), QString::fromStdString(admin.password),
                   QString::fromStdString(totpAhead(admin.totpSecret)));
}
} // namespace

std::unique_ptr<console::ApiClient> consoleApi(const TestServer& server) {
    return std::make_unique<console::ApiClient>(QUrl(QString::fromStdString(server.url())), serverCa(server));
}

std::unique_ptr<console::ConsoleConnection> consoleConnection(const TestServer& server) {
    return std::make_unique<console::ConsoleConnection>(QUrl(QString::fromStdString(server.url())),
                                                        serverCa(server));
}

bool signIn(console::SignInSession& session, const AdminCredentials& admin) {
    startSignIn(session, admin);
    return QTest::qWaitFor([&] { return session.signedIn(); }, 10000);
}

bool signIn(console::ConsoleConnection& connection, const AdminCredentials& admin) {
    QSignalSpy loaded(&connection.directory(), &console::DeviceDirectory::loaded);
    startSignIn(connection.session(), admin);
    return QTest::qWaitFor([&] { return loaded.count() == 1; }, 15000) &&
           QTest::qWaitFor([&] { return !connection.tree().sites().isEmpty(); }, 10000);
}

} // namespace breeze::test
