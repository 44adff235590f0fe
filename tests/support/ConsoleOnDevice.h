#pragma once

#include "ConsoleConnection.h"
#include "TestAgent.h"
#include "TestFleet.h"
#include "TestPostgres.h"

#include <QString>
#include <QStringList>
#include <memory>
#include <string>

namespace breeze::test {

// A signed-in console connection to a real server with one real agent online on this machine: where the
// console's suites of live sessions (terminal, files) start. Torn down in reverse order.
struct ConsoleOnDevice {
    std::unique_ptr<TestPostgres> postgres;
    std::unique_ptr<TestFleet> fleet;
    std::unique_ptr<TestAgent> agent;
    std::unique_ptr<console::ConsoleConnection> connection;
    QString deviceId;

    // `name`: the suite's ("terminal" gives the database console_terminal, admin@terminal.test); `identity`:
    // the agent's; `agentArgs`: more for `breeze-agent run`. False when something did not come up in time.
    bool start(const std::string& name, const std::string& identity, const QStringList& agentArgs = {});
    ~ConsoleOnDevice();
};

} // namespace breeze::test
