#pragma once

#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;

namespace breeze::console {

class InlineMessage;

// Server, e-mail, password and the authenticator code. A refusal is shown in the dialog, in words, and
// nothing typed is lost.
class SignInDialog : public QDialog {
    Q_OBJECT

public:
    explicit SignInDialog(QWidget* parent = nullptr);

    QString server() const;
    QString email() const;
    QString password() const;
    QString totp() const;
    void setServer(const QString& server);
    void showError(const QString& message);
    void setBusy(bool busy);

Q_SIGNALS:
    void signInRequested();

private:
    QLineEdit* m_server;
    QLineEdit* m_email;
    QLineEdit* m_password;
    QLineEdit* m_totp;
    InlineMessage* m_error;
    QPushButton* m_signIn;
};

} // namespace breeze::console
