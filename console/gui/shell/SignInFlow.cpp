#include "shell/SignInFlow.h"

#include "ServerTrust.h"

#include <QMessageBox>

namespace breeze::console {

SignInFlow::SignInFlow(QList<QSslCertificate> givenCas, QObject* parent)
    : QObject(parent), m_givenCas(std::move(givenCas)), m_dialog(new SignInDialog),
      m_trust(new ServerTrust(this)) {
    connect(m_dialog, &SignInDialog::signInRequested, this, &SignInFlow::submit);
    // Cancelling the first sign-in ends the console; cancelling a re-sign-in leaves the windows as they are,
    // disconnected.
    connect(m_dialog, &QDialog::rejected, this, [this] {
        if (!m_workspace.window() || !m_workspace.window()->isVisible())
            Q_EMIT abandoned();
    });
}

SignInFlow::~SignInFlow() {
    delete m_dialog;
}

void SignInFlow::openWorkspace(const QUrl& server, const QList<QSslCertificate>& cas, const QString& email) {
    if (!m_workspace.open(server, cas, email))
        return;
    ConsoleConnection& connection = *m_workspace.connection();
    SignInSession& session = connection.session();
    connect(&session, &SignInSession::failed, m_dialog, [this](const QString&, const QString& message) {
        if (m_reauthenticating)
            return; // the dialog already says why, in the technician's terms
        if (m_dialog->isVisible())
            m_dialog->showError(message);
        else
            m_dialog->open(); // a kept sign-in that no longer works: ask
    });
    connect(&session, &SignInSession::signedInChanged, m_dialog, [this](bool signedIn) {
        if (!signedIn) {
            reauthenticate();
            return;
        }
        if (m_dialog->isVisible()) {
            Q_EMIT this->signedIn(m_workspace.connection()->api().server(), m_dialog->email());
            m_dialog->accept();
        }
        m_workspace.window()->show();
    });
    Q_EMIT workspaceOpened(*m_workspace.window(), connection);
}

void SignInFlow::start(const QUrl& lastServer, const QString& lastEmail) {
    m_dialog->setServer(lastServer.toString());
    const auto cas = m_givenCas.isEmpty() ? ServerTrust::trusted(lastServer) : m_givenCas;
    if (lastEmail.isEmpty() || cas.isEmpty()) {
        m_dialog->open();
        return;
    }
    openWorkspace(lastServer, cas, lastEmail);
    m_workspace.vault()->load([this](const QString& token) {
        if (token.isEmpty())
            m_dialog->open();
        else
            m_workspace.connection()->session().resume(token);
    });
}

void SignInFlow::submit() {
    const QUrl url(m_dialog->server());
    if (url.scheme() != "https" || url.host().isEmpty()) {
        m_dialog->showError(tr("The server address must start with https://"));
        return;
    }
    m_dialog->setBusy(true);
    m_reauthenticating = false;
    if (!m_givenCas.isEmpty()) {
        signIn(url, m_givenCas);
        return;
    }
    if (const auto kept = ServerTrust::trusted(url); !kept.isEmpty()) {
        signIn(url, kept); // a changed certificate fails here with "not the one this console trusts"
        return;
    }
    m_trust->fetchCa(url, [this, url](const QSslCertificate& ca, const QString& error) {
        if (ca.isNull()) {
            m_dialog->showError(tr("Cannot reach %1: %2").arg(url.host(), error));
            return;
        }
        if (!askToTrust(url, ca)) {
            m_dialog->showError(tr("Not signed in: the server's certificate was not trusted."));
            return;
        }
        ServerTrust::trust(url, ca);
        signIn(url, {ca});
    });
}

bool SignInFlow::askToTrust(const QUrl& server, const QSslCertificate& ca) {
    QMessageBox question(QMessageBox::Question, tr("First contact with %1").arg(server.host()),
                         tr("This console has not met %1 before. Its certificate authority is\n\n%2\n\n"
                            "SHA-256 fingerprint:\n%3\n\nCompare the fingerprint with the one your "
                            "administrator gave you. Trust this server from now on?")
                             .arg(server.host(), ca.subjectDisplayName(), ServerTrust::fingerprint(ca)),
                         QMessageBox::Yes | QMessageBox::No, m_dialog);
    question.setObjectName("firstContact");
    question.setTextFormat(Qt::PlainText); // the subject is the server's to choose
    return question.exec() == QMessageBox::Yes;
}

void SignInFlow::signIn(const QUrl& server, const QList<QSslCertificate>& cas) {
    openWorkspace(server, cas, m_dialog->email());
    m_workspace.connection()->session().signIn(m_dialog->email(), m_dialog->password(), m_dialog->totp());
}

// The session ended while the console was open (signed out elsewhere, password changed, token reused): ask
// again over the open windows; the live channel and lists resume once signed in.
void SignInFlow::reauthenticate() {
    if (!m_workspace.window() || !m_workspace.window()->isVisible() || m_dialog->isVisible())
        return;
    m_reauthenticating = true;
    m_dialog->setServer(m_workspace.connection()->api().server().toString());
    m_dialog->showError(
        tr("Your sign-in has ended. Sign in again to carry on; your windows stay as they are."));
    m_dialog->open();
}

} // namespace breeze::console
