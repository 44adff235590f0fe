#pragma once

#include "ConsoleConnection.h"
#include "TokenVault.h"
#include "shell/MainWindow.h"

#include <memory>

namespace breeze::console {

// One server's connection, main window and token vault, made once the server and its CA are known. Opening
// the same server again keeps what is open (a re-sign-in must not lose the window's state).
class Workspace {
public:
    // `keepTokens`: store rotated refresh tokens in the keychain (not for the dev stack, which signs in
    // afresh). True when a new connection and window were made.
    bool open(const QUrl& server, const QList<QSslCertificate>& cas, const QString& email,
              bool keepTokens = true);

    ConsoleConnection* connection() const { return m_connection.get(); }
    MainWindow* window() const { return m_window.get(); }
    TokenVault* vault() const { return m_vault.get(); }

private:
    std::unique_ptr<ConsoleConnection> m_connection;
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<TokenVault> m_vault;
};

} // namespace breeze::console
