#pragma once

#include "net/RestClient.h"

#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

namespace breeze::test {

class TestPostgres;

struct AdminCredentials {
    std::string partnerId;
    std::string userId;
    std::string email;
    std::string password;
    std::string totpSecret; // base32
    std::vector<std::string> recoveryCodes;
};

// The real breeze-server binary, migrated onto its own database and serving TLS on a free port. Extra config
// lines let a test tighten limits (throttling, body size) without touching the others.
class TestServer {
public:
    TestServer(TestPostgres& postgres, const QString& databaseName,
               std::map<std::string, std::string> config = {});
    ~TestServer();

    void start();
    // SIGTERM and wait; returns the exit code.
    int stop();
    void sendSigterm();
    int waitForExit(int milliseconds);
    bool isRunning() const { return m_process && m_process->state() == QProcess::Running; }
    qint64 pid() const { return m_process ? m_process->processId() : 0; }

    std::string url() const;
    int port() const { return m_port; }
    int gatewayPort() const { return m_gatewayPort; }
    std::string urlFor(const std::string& host) const;
    std::string caFile() const;
    std::string stateDir() const;
    const QString& configFile() const { return m_configFile; }
    const QString& databaseUrl() const { return m_databaseUrl; }
    QString logText() const;

    // Runs `breeze-server ARGS --config FILE`; returns stdout, fails on non-zero exit unless allowed.
    QString runCli(const QStringList& args, int* exitCode = nullptr) const;

    AdminCredentials bootstrap(const std::string& email, const std::string& partner, bool newPartner);
    std::unique_ptr<net::RestClient> client() const;
    // Signs in with TOTP; the returned client carries the access token.
    std::unique_ptr<net::RestClient> signIn(const std::string& email, const std::string& password,
                                            const std::string& totpSecret = "");
    nlohmann::json lastLogin() const { return m_lastLogin; }

private:
    TestPostgres& m_postgres;
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_configFile;
    QString m_databaseUrl;
    std::unique_ptr<QProcess> m_process;
    void writeConfig();

    std::map<std::string, std::string> m_config;
    int m_port = 0;
    int m_gatewayPort = 0;
    nlohmann::json m_lastLogin;
};

std::string binDir();
// The current TOTP code for a base32 secret.
std::string totpNow(const std::string& base32Secret);
// Waits for the next TOTP step so the same account can sign in twice without a replayed code.
std::string totpNext(const std::string& base32Secret);
// The code of the next step, which the server accepts now (one step of clock drift) without waiting.
std::string totpAhead(const std::string& base32Secret);

} // namespace breeze::test
