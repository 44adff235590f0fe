#include "SmtpReceiver.h"

#include <QDir>
#include <QFile>
#include <QTcpServer>

namespace breeze::test {

namespace {
void writeFile(const QString& path, const std::string& text) {
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    file.write(QByteArray::fromStdString(text));
}
} // namespace

SmtpReceiver::SmtpReceiver(Mode mode, const std::string& user, const std::string& password,
                           const crypto::PemKeyPair* ca)
    : m_ca(ca ? *ca : crypto::CertificateAuthority::createRoot("SMTP receiver test CA", 30)) {
    const auto leaf = crypto::CertificateAuthority::issueServerCertificate(m_ca, "127.0.0.1", {"localhost"},
                                                                           {"127.0.0.1"}, 30);
    writeFile(caFile(), m_ca.certificatePem);
    writeFile(m_dir.filePath("cert.pem"), leaf.certificatePem);
    writeFile(m_dir.filePath("key.pem"), leaf.privateKeyPem);
    QDir(m_dir.path()).mkdir("mail");
    // A free port: aiosmtpd checks it is up by connecting to the port it was given.
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    m_port = probe.serverPort();
    probe.close();
    m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_process.start("/usr/bin/python3",
                    {QString(BREEZE_SOURCE_DIR) + "/tests/support/smtp_receiver.py", "--port",
                     QString::number(m_port), "--cert", m_dir.filePath("cert.pem"), "--key",
                     m_dir.filePath("key.pem"), "--mode", mode == Mode::StartTls ? "starttls" : "tls",
                     "--user", QString::fromStdString(user), "--password", QString::fromStdString(password),
                     "--out", m_dir.filePath("mail")});
    if (!m_process.waitForStarted(10000))
        qFatal("the SMTP receiver did not start");
    while (!m_process.canReadLine()) {
        if (!m_process.waitForReadyRead(20000))
            qFatal("the SMTP receiver did not become ready");
    }
    if (m_process.readLine().trimmed() != "ready")
        qFatal("the SMTP receiver said something unexpected");
}

SmtpReceiver::~SmtpReceiver() {
    m_process.terminate();
    if (!m_process.waitForFinished(5000))
        m_process.kill();
    m_process.waitForFinished(5000);
}

QString SmtpReceiver::caFile() const {
    return m_dir.filePath("ca.pem");
}

std::vector<nlohmann::json> SmtpReceiver::messages() const {
    std::vector<nlohmann::json> found;
    const QDir mail(m_dir.filePath("mail"));
    for (const auto& name : mail.entryList({"*.json"}, QDir::Files, QDir::Name)) {
        QFile file(mail.filePath(name));
        if (file.open(QIODevice::ReadOnly))
            found.push_back(nlohmann::json::parse(file.readAll().toStdString(), nullptr, false));
    }
    return found;
}

} // namespace breeze::test
