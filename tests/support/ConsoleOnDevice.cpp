#include "ConsoleOnDevice.h"

#include "ConsoleFixture.h"

#include <QtTest>

namespace breeze::test {

bool ConsoleOnDevice::start(const std::string& name, const std::string& identity,
                            const QStringList& agentArgs) {
    postgres = std::make_unique<TestPostgres>();
    fleet = std::make_unique<TestFleet>(
        *postgres, QString::fromStdString("console_" + name), "admin@" + name + ".test", name + " MSP",
        "Fleet", "HQ", std::map<std::string, std::string>{{"agents.heartbeat_seconds", "2"}});
    TestAgent::Options options;
    options.identity = QString::fromStdString(identity);
    options.runArgs = agentArgs;
    agent = std::make_unique<TestAgent>(*fleet->server, fleet->enrollmentKey(), options);
    agent->start();
    deviceId = QString::fromStdString(agent->deviceId());
    if (!QTest::qWaitFor(
            [&] {
                return fleet->api->get("/api/v1/devices/" + agent->deviceId()).body["status"] == "online";
            },
            20000))
        return false;
    connection = consoleConnection(*fleet->server);
    return signIn(*connection, fleet->admin);
}

ConsoleOnDevice::~ConsoleOnDevice() {
    connection.reset();
    agent.reset();
    fleet.reset();
    postgres.reset();
}

} // namespace breeze::test
