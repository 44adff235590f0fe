#include "shell/Workspace.h"

#include <QStatusBar>

namespace breeze::console {

bool Workspace::open(const QUrl& server, const QList<QSslCertificate>& cas, const QString& email,
                     bool keepTokens) {
    if (m_connection && m_connection->api().server() == server)
        return false;
    m_window.reset();
    m_connection = std::make_unique<ConsoleConnection>(server, cas);
    m_window = std::make_unique<MainWindow>(*m_connection);
    m_vault = std::make_unique<TokenVault>(server.toString() + "|" + email);
    if (!keepTokens)
        return true;
    QObject::connect(&m_connection->session(), &SignInSession::refreshTokenChanged, m_vault.get(),
                     &TokenVault::store);
    QObject::connect(
        m_vault.get(), &TokenVault::unavailable, m_window.get(), [w = m_window.get()](const QString& why) {
            w->statusBar()->showMessage(
                QObject::tr("No keychain (%1): you will have to sign in again next time.").arg(why), 15000);
        });
    return true;
}

} // namespace breeze::console
