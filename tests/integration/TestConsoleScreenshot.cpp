// breeze-console as a user runs it: --dev-stack signs in without questions, and --screenshot renders the
// device view once its data has loaded (against a real server with a real agent), saves a PNG and exits.
#include "ConsoleProcess.h"
#include "TestAgent.h"
#include "TestFleet.h"
#include "TestPostgres.h"
#include "TestServer.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace breeze;

class TestConsoleScreenshot final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void rendersTheDeviceViewOfALiveServer() {
        test::TestPostgres postgres;
        test::TestFleet fleet(postgres, "console_shot", "admin@shot.test", "Shot MSP", "Shots", "Studio");
        test::TestServer& server = *fleet.server;
        const auto& admin = fleet.admin;
        auto& api = fleet.api;
        test::TestAgent::Options options;
        options.identity = "shot-01";
        test::TestAgent agent(server, fleet.enrollmentKey(), options);
        agent.start();
        QTRY_VERIFY_WITH_TIMEOUT(api->get("/api/v1/devices/" + agent.deviceId()).body["status"] == "online",
                                 15000);
        test::totpNext(admin.totpSecret); // the console signs in with the next code of its own

        QTemporaryDir dir;
        const QString stack = test::writeDevStack(server, admin, dir.path());
        QVERIFY(!stack.isEmpty());
        const QString png = dir.filePath("devices.png");
        QProcess console;
        console.setProcessEnvironment(test::consoleEnvironment(dir.path()));
        console.start(QString::fromStdString(test::binDir() + "/breeze-console"),
                      {"--dev-stack", stack, "--view", "devices", "--screenshot", png});
        QVERIFY(console.waitForFinished(60000));
        QVERIFY2(console.exitCode() == 0, console.readAllStandardError().constData());
        const QImage image(png);
        QVERIFY(!image.isNull());
        QVERIFY(image.width() >= 800 && image.height() >= 500);
        // The online dot of the one device is there: a green pixel in the status column.
        bool green = false;
        for (int y = 0; y < image.height() && !green; ++y)
            for (int x = 0; x < image.width() && !green; ++x) {
                const QColor c = image.pixelColor(x, y);
                green = c.green() > 100 && c.red() < 80 && c.blue() < 80;
            }
        QVERIFY(green);

        // The device's own window, on its software tab, once everything about it has loaded.
        QTRY_VERIFY_WITH_TIMEOUT(
            api->get("/api/v1/devices/" + agent.deviceId() + "/software").body["count"].get<int>() > 0,
            30000);
        const QString devicePng = dir.filePath("device.png");
        console.start(QString::fromStdString(test::binDir() + "/breeze-console"),
                      {"--dev-stack", stack, "--view", "device:" + QString::fromStdString(agent.deviceId()),
                       "--tab", "software", "--screenshot", devicePng});
        QVERIFY(console.waitForFinished(60000));
        QVERIFY2(console.exitCode() == 0, console.readAllStandardError().constData());
        const QImage device(devicePng);
        QVERIFY(!device.isNull());
        QVERIFY(device.width() >= 800);

        // A tab that does not exist is refused in words before anything is asked of the server.
        console.start(QString::fromStdString(test::binDir() + "/breeze-console"),
                      {"--dev-stack", stack, "--view", "patches", "--tab", "no such tab", "--screenshot",
                       dir.filePath("none.png")});
        QVERIFY(console.waitForFinished(60000));
        QCOMPARE(console.exitCode(), 2);
        QVERIFY(console.readAllStandardError().contains("no tab called no such tab"));

        // The documentation's set in one sign-in: every view, both sizes, light and dark. The two sign-ins
        // above used this 30 s step's authenticator code and the next one's: the set waits for a fresh step.
        QTest::qWait(static_cast<int>(30 - QDateTime::currentSecsSinceEpoch() % 30) * 1000 + 500);
        const QString folder = dir.filePath("docs");
        console.start(QString::fromStdString(test::binDir() + "/breeze-console"),
                      {"--dev-stack", stack, "--screenshots", folder, "--device",
                       QString::fromStdString(agent.deviceId())});
        QVERIFY(console.waitForFinished(180000));
        QVERIFY2(console.exitCode() == 0, console.readAllStandardError().constData());
        const QStringList shots = QDir(folder).entryList({"*.png"});
        QCOMPARE(shots.size(), 2 * 2 * 7);
        const auto lightness = [](const QImage& image) {
            return image.pixelColor(2, image.height() - 2).lightness(); // the status bar's corner
        };
        const QImage light(QDir(folder).filePath("light-1280x720-dashboard.png"));
        const QImage dark(QDir(folder).filePath("dark-1920x1080-administration-audit-log.png"));
        QCOMPARE(light.size(), QSize(1280, 720));
        QCOMPARE(dark.size(), QSize(1920, 1080));
        QVERIFY2(lightness(light) > 150 && lightness(dark) < 100,
                 qPrintable(QString("%1 / %2").arg(lightness(light)).arg(lightness(dark))));
        QVERIFY(QFile::exists(QDir(folder).filePath("dark-1280x720-device-metrics.png")));
    }
};

QTEST_GUILESS_MAIN(TestConsoleScreenshot)
#include "TestConsoleScreenshot.moc"
