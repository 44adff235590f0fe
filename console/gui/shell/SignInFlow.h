#pragma once

#include "shell/SignInDialog.h"
#include "shell/Workspace.h"

#include <QObject>
#include <QSslCertificate>

namespace breeze::console {

class ServerTrust;

// The interactive way in: the sign-in dialog; on first contact with a server whose CA this workstation does
// not know, the CA's fingerprint for the technician to accept (kept per server) — a server presenting another
// CA later is refused by the pinned connection, and the dialog says so; a refresh token from the keychain
// signs in without questions; and when a session ends while the console is open, the dialog comes back over
// the open windows, which keep their state.
class SignInFlow : public QObject {
    Q_OBJECT

public:
    // `givenCas`: a CA from --ca, trusted without asking.
    explicit SignInFlow(QList<QSslCertificate> givenCas, QObject* parent = nullptr);
    ~SignInFlow() override;

    // Resumes with the keychain's refresh token for (server, email) when the server is trusted; otherwise,
    // or when that fails, opens the dialog.
    void start(const QUrl& lastServer, const QString& lastEmail);

    SignInDialog& dialog() { return *m_dialog; }
    Workspace& workspace() { return m_workspace; }

Q_SIGNALS:
    // A new connection and window exist (before signing in): for the caller's own wiring.
    void workspaceOpened(breeze::console::MainWindow& window, breeze::console::ConsoleConnection& connection);
    // Signed in through the dialog: worth remembering for next time.
    void signedIn(const QUrl& server, const QString& email);
    // The first sign-in was cancelled with no window open: nothing left to do.
    void abandoned();

private:
    void submit();
    void signIn(const QUrl& server, const QList<QSslCertificate>& cas);
    bool askToTrust(const QUrl& server, const QSslCertificate& ca);
    void reauthenticate();
    void openWorkspace(const QUrl& server, const QList<QSslCertificate>& cas, const QString& email);

    QList<QSslCertificate> m_givenCas;
    SignInDialog* m_dialog;
    ServerTrust* m_trust;
    Workspace m_workspace;
    bool m_reauthenticating = false;
};

} // namespace breeze::console
