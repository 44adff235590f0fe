// breeze-console as a user runs it: --dev-stack signs in without questions, and --screenshot renders the
// device view once its data has loaded (against a real server with a real agent), saves a PNG and exits.
#include "TestAgent.h"
#include "TestFleet.h"
#include "TestPostgres.h"
#include "TestServer.h"

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
        const QString stack = dir.filePath("stack.json");
        QFile file(stack);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(nlohmann::json{{"server_url", server.url()},
                                  {"ca_cert", server.caFile()},
                                  {"admin_email", admin.email},
                                  {"admin_password", admin.password},
                                  {"admin_totp_secret", admin.totpSecret}}
                       .dump()
                       .c_str());
        file.close();
        const QString png = dir.filePath("devices.png");
        QProcess console;
        auto environment = QProcessEnvironment::systemEnvironment();
        environment.insert("QT_QPA_PLATFORM", "offscreen");
        environment.insert("XDG_CONFIG_HOME", dir.filePath("config"));
        console.setProcessEnvironment(environment);
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
    }
};

QTEST_GUILESS_MAIN(TestConsoleScreenshot)
#include "TestConsoleScreenshot.moc"
