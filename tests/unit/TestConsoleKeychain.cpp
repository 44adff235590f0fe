// The refresh token in the OS keychain, for real: run by CTest inside a private D-Bus session with
// gnome-keyring (storesAndRestores), and once without any session bus (saysSoWithoutAKeychain).
#include "TokenVault.h"

#include <QSignalSpy>
#include <QtTest>

using namespace breeze::console;

class TestConsoleKeychain final : public QObject {
    Q_OBJECT

    static QString load(TokenVault& vault) {
        QString value;
        bool done = false;
        vault.load([&](const QString& token) {
            value = token;
            done = true;
        });
        (void)QTest::qWaitFor([&] { return done; }, 10000);
        return value;
    }

private Q_SLOTS:
    void storesAndRestores() {
        if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"))
            QSKIP("needs a session bus with a secret service (CTest runs this under dbus-run-session)");
        const QString account = "https://keychain.test:8443|tech@test";
        {
            TokenVault vault(account);
            QSignalSpy unavailable(&vault, &TokenVault::unavailable);
            QSignalSpy stored(&vault, &TokenVault::stored);
            vault.store("refresh-token-1");
            QTRY_VERIFY_WITH_TIMEOUT(stored.count() == 1 || unavailable.count() == 1, 10000);
            QVERIFY2(unavailable.isEmpty(),
                     unavailable.isEmpty() ? "" : qPrintable(unavailable.at(0).at(0).toString()));
        }
        TokenVault later(account); // a new run of the console
        QCOMPARE(load(later), QString("refresh-token-1"));
        later.forget();
        QTest::qWait(500);
        QCOMPARE(load(later), QString());
        QVERIFY(later.available());
    }

    void saysSoWithoutAKeychain() {
        if (!qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"))
            QSKIP("runs without a session bus (its own CTest entry)");
        TokenVault vault("https://keychain.test:8443|tech@test");
        QSignalSpy unavailable(&vault, &TokenVault::unavailable);
        vault.store("refresh-token-2");
        QTRY_COMPARE_WITH_TIMEOUT(unavailable.count(), 1, 10000);
        QVERIFY(!unavailable.at(0).at(0).toString().isEmpty());
        QVERIFY(!vault.available());
        vault.store("refresh-token-3");
        QCOMPARE(load(vault), QString("refresh-token-3")); // memory only, for this run
        QCOMPARE(unavailable.count(), 1);                  // said once
    }
};

QTEST_GUILESS_MAIN(TestConsoleKeychain)
#include "TestConsoleKeychain.moc"
