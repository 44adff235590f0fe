// The sign-in dialogs clicked through, offscreen, against a real server: first contact shows the server CA's
// fingerprint and keeps it only when accepted; a server presenting another CA than the kept one is refused in
// the dialog; and a session ended elsewhere brings the dialog back over the open window, which keeps its
// state, until the technician signs in again.
#include "ServerTrust.h"
#include "TestPostgres.h"
#include "TestServer.h"
#include "crypto/CertificateAuthority.h"
#include "shell/SignInFlow.h"

#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QStandardPaths>
#include <QTimer>
#include <QtTest>

using namespace breeze;
using namespace breeze::console;

class TestConsoleSignIn final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestPostgres> m_postgres;
    std::unique_ptr<test::TestServer> m_server;
    test::AdminCredentials m_admin;
    QUrl m_url;

    // Types into the dialog's fields (server, e-mail, password, code) as a technician would, then clicks
    // Sign in.
    void fillAndSubmit(SignInDialog& dialog, const QString& server, const QString& password,
                       const QString& code) {
        const auto fields = dialog.findChildren<QLineEdit*>();
        QCOMPARE(fields.size(), 4);
        for (auto* field : fields)
            field->clear();
        QTest::keyClicks(fields[0], server);
        QTest::keyClicks(fields[1], QString::fromStdString(m_admin.email));
        QTest::keyClicks(fields[2], password);
        QTest::keyClicks(fields[3], code);
        QPushButton* signIn = nullptr;
        for (auto* button : dialog.findChildren<QPushButton*>())
            if (button->text() == "Sign in")
                signIn = button;
        QVERIFY(signIn && signIn->isEnabled());
        QTest::mouseClick(signIn, Qt::LeftButton);
    }

    // The first-contact question is modal (it runs its own event loop): answered from a timer, its text kept.
    QTimer* answerFirstContact(QMessageBox::StandardButton answer, QString* shown) {
        auto* timer = new QTimer(this);
        timer->setInterval(50);
        connect(timer, &QTimer::timeout, this, [timer, answer, shown] {
            auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
            if (!box || box->objectName() != "firstContact")
                return;
            *shown = box->text();
            QCOMPARE(box->textFormat(), Qt::PlainText);
            box->button(answer)->click();
            timer->stop();
        });
        timer->start();
        return timer;
    }

    static QString errorShown(SignInDialog& dialog) {
        for (auto* label : dialog.findChildren<QLabel*>())
            if (label->styleSheet().contains("c62828") && label->isVisible())
                return label->text();
        return {};
    }

    QString fingerprintOfServerCa() {
        QFile file(QString::fromStdString(m_server->caFile()));
        if (!file.open(QIODevice::ReadOnly))
            return {};
        return ServerTrust::fingerprint(QSslCertificate::fromData(file.readAll()).value(0));
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true); // QSettings go to a test location, not the user's
        QCoreApplication::setOrganizationName("BreezeTest");
        QCoreApplication::setApplicationName("console-sign-in");
        m_postgres = std::make_unique<test::TestPostgres>();
        // Short access tokens: the console refreshes within seconds, so an ended session shows quickly.
        m_server = std::make_unique<test::TestServer>(
            *m_postgres, "console_sign_in",
            std::map<std::string, std::string>{{"auth.access_token_ttl_seconds", "10"}});
        m_admin = m_server->bootstrap("tech@signin.test", "Sign-in MSP", false);
        m_url = QUrl(QString::fromStdString(m_server->url()));
    }

    void declinedFirstContactTrustsNothing() {
        ServerTrust::forget(m_url);
        SignInFlow flow({});
        flow.start({}, {});
        QVERIFY(flow.dialog().isVisible());
        QString shown;
        answerFirstContact(QMessageBox::No, &shown);
        fillAndSubmit(flow.dialog(), m_url.toString(), QString::fromStdString(m_admin.password),
                      QString::fromStdString(test::totpNow(m_admin.totpSecret)));
        QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty(), 10000);
        QVERIFY2(shown.contains(fingerprintOfServerCa()), qPrintable(shown));
        QTRY_COMPARE_WITH_TIMEOUT(errorShown(flow.dialog()),
                                  QString("Not signed in: the server's certificate was not trusted."), 5000);
        QVERIFY(ServerTrust::trusted(m_url).isEmpty());
        QVERIFY(!flow.workspace().window());
        QVERIFY(flow.dialog().isVisible()); // still there, with what was typed
        QCOMPARE(flow.dialog().email(), QString::fromStdString(m_admin.email));
    }

    void acceptedFirstContactSignsInAndAnEndedSessionAsksAgain() {
        ServerTrust::forget(m_url);
        SignInFlow flow({});
        QSignalSpy remembered(&flow, &SignInFlow::signedIn);
        flow.start({}, {});
        QString shown;
        answerFirstContact(QMessageBox::Yes, &shown);
        // Codes are single-use and the server allows one step of drift: this one and the next step's.
        fillAndSubmit(flow.dialog(), m_url.toString(), QString::fromStdString(m_admin.password),
                      QString::fromStdString(test::totpNow(m_admin.totpSecret)));
        QTRY_VERIFY_WITH_TIMEOUT(flow.workspace().window() && flow.workspace().window()->isVisible(), 15000);
        QVERIFY(shown.contains(fingerprintOfServerCa()));
        QCOMPARE(ServerTrust::trusted(m_url).size(), 1);
        QVERIFY(!flow.dialog().isVisible());
        QCOMPARE(remembered.count(), 1);
        QCOMPARE(remembered.at(0).at(0).toUrl(), m_url);

        // The technician is working: a search typed in the main window.
        MainWindow* window = flow.workspace().window();
        window->setSearch("web");
        // The session is ended elsewhere (signed out); the next refresh finds out.
        bool loggedOut = false;
        flow.workspace().connection()->api().post(
            "/api/v1/auth/logout", {}, [&](const ApiReply& reply) { loggedOut = reply.status == 204; });
        QTRY_VERIFY_WITH_TIMEOUT(loggedOut, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(flow.dialog().isVisible(), 20000);
        QVERIFY(errorShown(flow.dialog()).contains("Your sign-in has ended"));
        QVERIFY(window->isVisible());
        QCOMPARE(flow.workspace().window(), window); // the same window, not a new one
        QCOMPARE(flow.dialog().server(), m_url.toString());

        // Signing in again: no trust question (the CA is kept), the window and its search as they were.
        QString askedAgain;
        QTimer* watch = answerFirstContact(QMessageBox::No, &askedAgain);
        fillAndSubmit(flow.dialog(), m_url.toString(), QString::fromStdString(m_admin.password),
                      QString::fromStdString(test::totpAhead(m_admin.totpSecret)));
        QTRY_VERIFY_WITH_TIMEOUT(!flow.dialog().isVisible(), 15000);
        QVERIFY(flow.workspace().connection()->session().signedIn());
        QVERIFY(askedAgain.isEmpty());
        watch->stop();
        QCOMPARE(flow.workspace().window(), window);
        QCOMPARE(window->search(), QString("web"));

        // Without the authenticator: the same field takes a recovery code.
        loggedOut = false;
        flow.workspace().connection()->api().post(
            "/api/v1/auth/logout", {}, [&](const ApiReply& reply) { loggedOut = reply.status == 204; });
        QTRY_VERIFY_WITH_TIMEOUT(loggedOut, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(flow.dialog().isVisible(), 20000);
        QTimer* watchAgain = answerFirstContact(QMessageBox::No, &askedAgain);
        fillAndSubmit(flow.dialog(), m_url.toString(), QString::fromStdString(m_admin.password),
                      QString::fromStdString(m_admin.recoveryCodes.at(0)));
        QTRY_VERIFY_WITH_TIMEOUT(!flow.dialog().isVisible(), 15000);
        QVERIFY(flow.workspace().connection()->session().signedIn());
        watchAgain->stop();
    }

    void aServerPresentingAnotherCaIsRefusedInTheDialog() {
        // As if the server's certificate had been replaced: the CA kept for it is another one.
        const auto other = crypto::CertificateAuthority::createRoot("Somebody else's CA", 30);
        ServerTrust::trust(
            m_url, QSslCertificate::fromData(QByteArray::fromStdString(other.certificatePem)).value(0));
        SignInFlow flow({});
        flow.start({}, {});
        QString asked;
        QTimer* watch = answerFirstContact(QMessageBox::Yes, &asked);
        // Refused before any code is checked: the TLS handshake fails.
        fillAndSubmit(flow.dialog(), m_url.toString(), QString::fromStdString(m_admin.password), "000000");
        QTRY_VERIFY_WITH_TIMEOUT(errorShown(flow.dialog()).contains("not the one this console trusts"),
                                 15000);
        watch->stop();
        QVERIFY(asked.isEmpty()); // refused, not offered for trust again
        QVERIFY(!flow.workspace().window()->isVisible());
        QVERIFY(!flow.workspace().connection()->session().signedIn());
    }
};

QTEST_MAIN(TestConsoleSignIn)
#include "TestConsoleSignIn.moc"
