#pragma once

#include "net/RestClient.h"

#include <QElapsedTimer>
#include <QTest>
#include <nlohmann/json.hpp>
#include <string>

namespace breeze::test {

// Polls a command until it leaves pending, sent and running (or the time runs out); returns it as last seen.
inline nlohmann::json waitForFinalCommand(net::RestClient& api, const std::string& id, int milliseconds) {
    nlohmann::json command;
    QElapsedTimer timer;
    timer.start();
    do {
        command = api.get("/api/v1/commands/" + id).body;
        const std::string status = command["status"];
        if (status != "pending" && status != "sent" && status != "running")
            return command;
        QTest::qWait(100);
    } while (timer.elapsed() < milliseconds);
    return command;
}

} // namespace breeze::test
