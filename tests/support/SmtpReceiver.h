#pragma once

#include "crypto/CertificateAuthority.h"

#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace breeze::test {

// A real SMTP server (Debian's python3-aiosmtpd, run by smtp_receiver.py): STARTTLS or TLS from the first
// byte with a certificate from its own CA, AUTH required inside TLS. Every message it accepts is kept with
// what its session proved (TLS, the login).
class SmtpReceiver {
public:
    enum class Mode { StartTls, Tls };

    // `ca`: sign with this CA (another receiver's, so one trusted file serves both); a new one when null.
    SmtpReceiver(Mode mode, const std::string& user, const std::string& password,
                 const crypto::PemKeyPair* ca = nullptr);
    ~SmtpReceiver();
    SmtpReceiver(const SmtpReceiver&) = delete;
    SmtpReceiver& operator=(const SmtpReceiver&) = delete;

    int port() const { return m_port; }
    // The CA's certificate (PEM file) the server must trust for this receiver.
    QString caFile() const;
    // {"mail_from", "rcpt_tos", "data" (the whole message), "tls", "login"}, in arrival order.
    std::vector<nlohmann::json> messages() const;
    const crypto::PemKeyPair& ca() const { return m_ca; }

private:
    QTemporaryDir m_dir;
    crypto::PemKeyPair m_ca;
    QProcess m_process;
    int m_port = 0;
};

} // namespace breeze::test
