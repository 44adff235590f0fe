#include "TestServer.h"

#include "ChildProcess.h"
#include "TestPostgres.h"
#include "crypto/Totp.h"
#include "encoding/Base32.h"

#include <QDir>
#include <QFile>
#include <QTextStream>
#include <csignal>
#include <ctime>
#include <stdexcept>
#include <thread>

namespace breeze::test {

std::string binDir() {
    return BREEZE_TEST_BIN_DIR;
}

std::string totpNow(const std::string& base32Secret) {
    const auto secret = encoding::base32Decode(base32Secret);
    if (!secret)
        throw std::runtime_error("bad base32 secret");
    return crypto::Totp::codeAt(*secret, std::time(nullptr));
}

std::string totpNext(const std::string& base32Secret) {
    const auto step = crypto::Totp::stepAt(std::time(nullptr));
    while (crypto::Totp::stepAt(std::time(nullptr)) == step)
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    return totpNow(base32Secret);
}

std::string totpAhead(const std::string& base32Secret) {
    const auto secret = encoding::base32Decode(base32Secret);
    return crypto::Totp::codeForStep(*secret, crypto::Totp::stepAt(std::time(nullptr)) + 1);
}

TestServer::TestServer(TestPostgres& postgres, const QString& databaseName,
                       std::map<std::string, std::string> config)
    : m_postgres(postgres), m_dir(std::make_unique<QTemporaryDir>(testTempRoot() + "/breeze-server-XXXXXX")) {
    // Another node of an existing server: its database (already migrated) and state folder (the same keys).
    const bool anotherNode = config.contains("database.url");
    m_databaseUrl = anotherNode ? QString::fromStdString(config.at("database.url"))
                                : postgres.createDatabase(databaseName);
    m_configFile = m_dir->filePath("server.conf");
    config.try_emplace("server.listen", "127.0.0.1");
    config.try_emplace("server.port", "0");
    config.try_emplace("server.public_names", "localhost");
    config.try_emplace("server.public_addresses", "127.0.0.1");
    config.try_emplace("server.state_dir", m_dir->filePath("state").toStdString());
    config.try_emplace("database.url", m_databaseUrl.toStdString());
    config.try_emplace("shutdown.grace_seconds", "5");
    m_config = std::move(config);
    writeConfig();
    if (!anotherNode)
        runCli({"migrate", "up"});
    start();
}

void TestServer::writeConfig() {
    QFile file(m_configFile);
    file.open(QIODevice::WriteOnly | QIODevice::Truncate);
    QTextStream out(&file);
    for (const auto& [key, value] : m_config)
        out << QString::fromStdString(key) << " = " << QString::fromStdString(value) << "\n";
}

TestServer::~TestServer() {
    if (isRunning())
        stop();
}

QString TestServer::runCli(const QStringList& args, int* exitCode) const {
    QProcess process;
    process.start(QString::fromStdString(binDir() + "/breeze-server"),
                  args + QStringList{"--config", m_configFile});
    process.waitForFinished(120000);
    const int code = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    if (exitCode)
        *exitCode = code;
    else if (code != 0)
        throw std::runtime_error(("breeze-server " + args.join(' ') +
                                  " failed: " + QString::fromUtf8(process.readAllStandardError()))
                                     .toStdString());
    return QString::fromUtf8(process.readAllStandardOutput());
}

void TestServer::start() {
    const QString portFile = m_dir->filePath("port");
    QFile::remove(portFile);
    m_process = std::make_unique<QProcess>();
    dieWithTest(*m_process);
    m_process->setStandardErrorFile(m_dir->filePath("server.log"), QIODevice::Append);
    m_process->setStandardOutputFile(m_dir->filePath("server.log"), QIODevice::Append);
    m_process->start(QString::fromStdString(binDir() + "/breeze-server"),
                     {"serve", "--config", m_configFile, "--port-file", portFile});
    if (!m_process->waitForStarted(10000))
        throw std::runtime_error("breeze-server did not start");
    for (int i = 0; i < 600; ++i) {
        QFile file(portFile);
        if (file.open(QIODevice::ReadOnly)) {
            // Line 1: the front door's port, line 2: the port agents are told to use (the same unless a
            // separate agent port is configured).
            const QStringList ports = QString::fromUtf8(file.readAll()).split('\n', Qt::SkipEmptyParts);
            if (ports.size() >= 2) {
                m_port = ports[0].toInt();
                m_gatewayPort = ports[1].toInt();
                // A restart keeps the same ports, as a real server would: agents come back to where they
                // were.
                m_config["server.port"] = std::to_string(m_port);
                if (m_config.contains("gateway.port"))
                    m_config["gateway.port"] = std::to_string(m_gatewayPort);
                writeConfig();
                return;
            }
        }
        // waitForFinished doubles as the pause; QProcess only notices an exit inside its wait functions.
        if (m_process->waitForFinished(50) || m_process->state() != QProcess::Running)
            throw std::runtime_error(("breeze-server exited at start:\n" + logText()).toStdString());
    }
    throw std::runtime_error("breeze-server did not report its port");
}

void TestServer::sendSigterm() {
    ::kill(static_cast<pid_t>(m_process->processId()), SIGTERM);
}

int TestServer::waitForExit(int milliseconds) {
    if (!m_process->waitForFinished(milliseconds))
        return -1;
    return m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -1;
}

int TestServer::stop() {
    if (!m_process)
        return -1;
    sendSigterm();
    if (!m_process->waitForFinished(30000)) {
        m_process->kill();
        m_process->waitForFinished();
        return -1;
    }
    return m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -1;
}

std::string TestServer::url() const {
    return urlFor("localhost");
}

std::string TestServer::urlFor(const std::string& host) const {
    return "https://" + host + ":" + std::to_string(m_port);
}

std::string TestServer::caFile() const {
    return stateDir() + "/tls/ca.crt";
}

std::string TestServer::stateDir() const {
    return m_config.at("server.state_dir");
}

QString TestServer::logText() const {
    QFile file(m_dir->filePath("server.log"));
    file.open(QIODevice::ReadOnly);
    return QString::fromUtf8(file.readAll());
}

AdminCredentials TestServer::bootstrap(const std::string& email, const std::string& partner,
                                       bool newPartner) {
    QStringList args{"bootstrap", "--email", QString::fromStdString(email), "--partner",
                     QString::fromStdString(partner)};
    if (newPartner)
        args << "--new-partner";
    const auto doc = nlohmann::json::parse(runCli(args).toStdString());
    return {doc["partner_id"], doc["user_id"],     doc["email"],
            doc["password"],   doc["totp_secret"], doc["recovery_codes"]};
}

std::unique_ptr<net::RestClient> TestServer::client() const {
    return std::make_unique<net::RestClient>(url(), caFile());
}

std::unique_ptr<net::RestClient> TestServer::signIn(const std::string& email, const std::string& password,
                                                    const std::string& totpSecret) {
    auto api = client();
    nlohmann::json body = {{"email", email}, {"password", password}};
    if (!totpSecret.empty()) {
        // The server refuses a code whose time step was already used, so a second sign-in waits for the next.
        // Within a step, the next step's code is accepted too (clock drift), so only a third sign-in waits.
        static std::map<std::string, std::int64_t> lastStep;
        std::int64_t step = crypto::Totp::stepAt(std::time(nullptr));
        if (lastStep[totpSecret] >= step + 1) {
            totpNext(totpSecret);
            step = crypto::Totp::stepAt(std::time(nullptr));
        }
        step = std::max(step, lastStep[totpSecret] + 1);
        body["totp"] = crypto::Totp::codeForStep(*encoding::base32Decode(totpSecret), step);
        lastStep[totpSecret] = step;
    }
    auto response = api->post("/api/v1/auth/login", body);
    if (!response.ok())
        throw std::runtime_error("sign-in of " + email + " failed: " + response.raw);
    m_lastLogin = response.body;
    api->setBearer(response.body["access_token"]);
    return api;
}

} // namespace breeze::test
