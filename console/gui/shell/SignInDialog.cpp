#include "shell/SignInDialog.h"

#include "widgets/InlineMessage.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QVBoxLayout>

namespace breeze::console {

SignInDialog::SignInDialog(QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Sign in to Breeze"));
    m_server = new QLineEdit(this);
    m_server->setPlaceholderText("https://breeze.example.com:8443");
    m_email = new QLineEdit(this);
    m_password = new QLineEdit(this);
    m_password->setEchoMode(QLineEdit::Password);
    m_totp = new QLineEdit(this);
    m_totp->setPlaceholderText(tr("6-digit code or a recovery code"));
    m_totp->setValidator(new QRegularExpressionValidator(QRegularExpression("[0-9A-Za-z-]{0,32}"), m_totp));
    m_error = new InlineMessage(this); // server messages may quote what was typed
    auto* form = new QFormLayout;
    form->addRow(tr("Server"), m_server);
    form->addRow(tr("E-mail"), m_email);
    form->addRow(tr("Password"), m_password);
    form->addRow(tr("Authenticator code"), m_totp);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_signIn = buttons->addButton(tr("Sign in"), QDialogButtonBox::AcceptRole);
    m_signIn->setDefault(true);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_signIn, &QPushButton::clicked, this, [this] {
        m_error->clear();
        Q_EMIT signInRequested();
    });
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
}

QString SignInDialog::server() const {
    return m_server->text().trimmed();
}
QString SignInDialog::email() const {
    return m_email->text().trimmed();
}
QString SignInDialog::password() const {
    return m_password->text();
}
QString SignInDialog::totp() const {
    return m_totp->text().trimmed();
}
void SignInDialog::setServer(const QString& server) {
    m_server->setText(server);
}

void SignInDialog::showError(const QString& message) {
    m_error->showError(message);
    setBusy(false);
}

void SignInDialog::setBusy(bool busy) {
    m_signIn->setEnabled(!busy);
    m_signIn->setText(busy ? tr("Signing in…") : tr("Sign in"));
}

} // namespace breeze::console
