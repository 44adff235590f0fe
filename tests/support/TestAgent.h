#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>

namespace breeze::test {

class TestServer;

// The real breeze-agent binary, enrolled against a TestServer and run as a daemon (`breeze-agent run`) with
// its own state folder; optionally inside a network namespace.
class TestAgent {
public:
    struct Options {
        QString identity;
        QStringList runArgs;      // extra arguments for `run`
        QString networkNamespace; // run under `ip netns exec NAME` when set
        QString serverUrl;        // defaults to the server's own URL
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    };

    TestAgent(const TestServer& server, const std::string& enrollmentKey, Options options);
    ~TestAgent();

    void start();
    // SIGTERM and wait; returns the exit code (-1 when it had to be killed).
    int stop();
    bool isRunning() const { return m_process && m_process->state() == QProcess::Running; }
    qint64 pid() const { return m_process ? m_process->processId() : 0; }

    const std::string& deviceId() const { return m_deviceId; }
    QString stateDir() const;
    // The status.json the running agent keeps (connection, spool counts); null before it wrote one.
    nlohmann::json status() const;
    QString log() const;
    // Empty when every heartbeat this agent ever recorded is stored, but for those it dropped to stay bounded
    // and those still in its spool; otherwise what is missing. This is loss, not timing: a busy machine
    // delays heartbeats but must not lose one. `storedCount` counts the device's rows on the server.
    QString missingHeartbeats(const std::function<long long()>& storedCount) const;

private:
    Options m_options;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QProcess> m_process;
    std::string m_deviceId;
};

} // namespace breeze::test
