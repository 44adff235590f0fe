#pragma once

#include "ApiClient.h"

#include <QObject>
#include <QTimer>

namespace breeze::console {

// The technician's sign-in: e-mail, password and TOTP buy an access token (short-lived) and a refresh token,
// which is spent a minute before each access token expires. The refresh token is held here only in memory;
// the keychain integration hands it over (issue 4, next step).
class SignInSession : public QObject {
    Q_OBJECT

public:
    explicit SignInSession(ApiClient& api, QObject* parent = nullptr);

    void signIn(const QString& email, const QString& password, const QString& totp);
    // Signs in with a refresh token kept from an earlier run (the keychain's).
    void resume(const QString& refreshToken);
    bool signedIn() const { return !m_api.accessToken().isEmpty(); }
    const QString& refreshToken() const { return m_refreshToken; }

Q_SIGNALS:
    void signedInChanged(bool signedIn);
    // A new access token (after sign-in and after every refresh): the live channel renews with it.
    void accessTokenChanged(const QString& token);
    // The refresh token rotates on every use: the keychain keeps the latest.
    void refreshTokenChanged(const QString& token);
    // Sign-in or refresh refused: what to tell the technician (and its code, e.g. mfa_required).
    void failed(const QString& code, const QString& message);

private:
    void accept(const ApiReply& reply);
    void refresh();

    ApiClient& m_api;
    QString m_refreshToken;
    QTimer m_refreshTimer;
};

} // namespace breeze::console
