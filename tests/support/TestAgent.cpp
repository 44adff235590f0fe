#include "TestAgent.h"

#include "ChildProcess.h"
#include "ProgramRun.h"
#include "TestPostgres.h"
#include "TestServer.h"

#include <QFile>
#include <csignal>
#include <stdexcept>

namespace breeze::test {

TestAgent::TestAgent(const TestServer& server, const std::string& enrollmentKey, Options options)
    : m_options(std::move(options)),
      m_dir(std::make_unique<QTemporaryDir>(testTempRoot() + "/breeze-agent-XXXXXX")) {
    const QString url =
        m_options.serverUrl.isEmpty() ? QString::fromStdString(server.url()) : m_options.serverUrl;
    QStringList args{"enroll",
                     "--server",
                     url,
                     "--key",
                     QString::fromStdString(enrollmentKey),
                     "--ca",
                     QString::fromStdString(server.caFile()),
                     "--identity",
                     m_options.identity,
                     "--state-dir",
                     stateDir()};
    ProgramRun run;
    if (m_options.networkNamespace.isEmpty()) {
        run = ProgramRun::run("breeze-agent", args);
    } else {
        QProcess process;
        process.start("ip", QStringList{"netns", "exec", m_options.networkNamespace,
                                        QString::fromStdString(binDir() + "/breeze-agent")} +
                                args);
        process.waitForFinished(60000);
        run = {process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
               QString::fromUtf8(process.readAllStandardError())};
    }
    if (run.exitCode != 0)
        throw std::runtime_error(("breeze-agent enroll failed: " + run.err).toStdString());
    QFile state(stateDir() + "/state.json");
    state.open(QIODevice::ReadOnly);
    m_deviceId = nlohmann::json::parse(state.readAll().toStdString())["device_id"];
}

TestAgent::~TestAgent() {
    if (isRunning())
        stop();
}

QString TestAgent::stateDir() const {
    return m_dir->filePath("state");
}

void TestAgent::start() {
    m_process = std::make_unique<QProcess>();
    dieWithTest(*m_process);
    m_process->setProcessEnvironment(m_options.environment);
    m_process->setStandardOutputFile(m_dir->filePath("agent.log"), QIODevice::Append);
    m_process->setStandardErrorFile(m_dir->filePath("agent.log"), QIODevice::Append);
    const QStringList args =
        QStringList{"run", "--state-dir", stateDir(), "--max-startup-delay", "0", "--max-backoff", "2"} +
        m_options.runArgs;
    if (m_options.networkNamespace.isEmpty())
        m_process->start(QString::fromStdString(binDir() + "/breeze-agent"), args);
    else
        m_process->start("ip", QStringList{"netns", "exec", m_options.networkNamespace,
                                           QString::fromStdString(binDir() + "/breeze-agent")} +
                                   args);
    if (!m_process->waitForStarted(10000))
        throw std::runtime_error("breeze-agent did not start");
}

int TestAgent::stop() {
    if (!m_process)
        return -1;
    ::kill(static_cast<pid_t>(m_process->processId()), SIGTERM);
    if (!m_process->waitForFinished(20000)) {
        m_process->kill();
        m_process->waitForFinished();
        return -1;
    }
    return m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -1;
}

nlohmann::json TestAgent::status() const {
    QFile file(stateDir() + "/status.json");
    if (!file.open(QIODevice::ReadOnly))
        return nullptr;
    const auto doc = nlohmann::json::parse(file.readAll().toStdString(), nullptr, false);
    return doc.is_discarded() ? nlohmann::json(nullptr) : doc;
}

QString TestAgent::missingHeartbeats(const std::function<long long()>& storedCount) const {
    const auto snapshot = status(); // one consistent reading of the spool, taken before the rows are counted
    if (!snapshot.is_object())
        return "the agent has written no status";
    const auto& spool = snapshot["spool"];
    const long long recorded = spool.value("recorded_metrics", 0LL);
    const long long accountedFor =
        recorded - spool.value("dropped_metrics", 0LL) - spool.value("metrics", 0LL);
    const long long stored = storedCount();
    if (recorded > 0 && stored >= accountedFor && stored <= recorded)
        return {};
    return QString("recorded %1, dropped %2, still spooled %3, but %4 stored")
        .arg(recorded)
        .arg(spool.value("dropped_metrics", 0LL))
        .arg(spool.value("metrics", 0LL))
        .arg(stored);
}

QString TestAgent::log() const {
    QFile file(m_dir->filePath("agent.log"));
    file.open(QIODevice::ReadOnly);
    return QString::fromUtf8(file.readAll());
}

} // namespace breeze::test
