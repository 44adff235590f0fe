#include "ConsoleProcess.h"

#include <QDir>
#include <QFile>

namespace breeze::test {

QString writeDevStack(const TestServer& server, const AdminCredentials& admin, const QString& folder) {
    QString stack = QDir(folder).filePath("stack.json");
    QFile file(stack);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    file.write(nlohmann::json{{"server_url", server.url()},
                              {"ca_cert", server.caFile()},
                              {"admin_email", admin.email},
                              {"admin_password", admin.password},
                              {"admin_totp_secret", admin.totpSecret}}
                   .dump()
                   .c_str());
    return stack;
}

QProcessEnvironment consoleEnvironment(const QString& folder) {
    auto environment = QProcessEnvironment::systemEnvironment();
    environment.insert("QT_QPA_PLATFORM", "offscreen");
    environment.insert("XDG_CONFIG_HOME", QDir(folder).filePath("config"));
    environment.insert(
        "LSAN_OPTIONS",
        QStringLiteral("suppressions=%1/tests/support/lsan-qt-tls.supp").arg(BREEZE_SOURCE_DIR));
    return environment;
}

} // namespace breeze::test
