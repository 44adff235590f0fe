#include "SignInSession.h"

namespace breeze::console {

SignInSession::SignInSession(ApiClient& api, QObject* parent) : QObject(parent), m_api(api) {
    m_refreshTimer.setSingleShot(true);
    connect(&m_refreshTimer, &QTimer::timeout, this, &SignInSession::refresh);
}

void SignInSession::signIn(const QString& email, const QString& password, const QString& totp) {
    QJsonObject body{{"email", email}, {"password", password}};
    // One field takes either second factor: digits are an authenticator code, anything longer or with letters
    // is a recovery code.
    const QString code = totp.trimmed();
    bool digits = !code.isEmpty() && code.size() <= 8;
    for (const QChar c : code)
        digits = digits && c.isDigit();
    if (digits)
        body["totp"] = code;
    else if (!code.isEmpty())
        body["recovery_code"] = code;
    m_api.post("/api/v1/auth/login", body, [this](const ApiReply& reply) { accept(reply); });
}

void SignInSession::resume(const QString& refreshToken) {
    m_refreshToken = refreshToken;
    refresh();
}

void SignInSession::accept(const ApiReply& reply) {
    if (!reply.ok()) {
        const bool wasSignedIn = signedIn();
        m_api.setAccessToken({});
        m_refreshToken.clear();
        if (wasSignedIn)
            Q_EMIT signedInChanged(false);
        Q_EMIT failed(reply.errorCode, reply.errorMessage);
        return;
    }
    const QJsonObject tokens = reply.object();
    const bool wasSignedIn = signedIn();
    m_api.setAccessToken(tokens.value("access_token").toString());
    m_refreshToken = tokens.value("refresh_token").toString();
    const int lifetime = tokens.value("expires_in").toInt(900);
    m_refreshTimer.start(std::max(5, lifetime - 60) * 1000);
    Q_EMIT accessTokenChanged(m_api.accessToken());
    Q_EMIT refreshTokenChanged(m_refreshToken);
    if (!wasSignedIn)
        Q_EMIT signedInChanged(true);
}

void SignInSession::refresh() {
    if (m_refreshToken.isEmpty())
        return;
    m_api.post("/api/v1/auth/refresh", {{"refresh_token", m_refreshToken}}, [this](const ApiReply& reply) {
        if (reply.status == 0) {
            m_refreshTimer.start(10'000); // unreachable: the token still works for a minute; try again soon
            return;
        }
        accept(reply);
    });
}

} // namespace breeze::console
