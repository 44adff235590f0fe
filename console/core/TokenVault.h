#pragma once

#include <QObject>
#include <QString>
#include <functional>

namespace breeze::console {

// Where the refresh token lives between runs: the operating system's keychain (Secret Service on Linux,
// through QtKeychain). Without a keychain the token is kept in memory only, and the vault says so once, so
// the console can tell the technician they will have to sign in again next time. Nothing is ever written in
// clear to disk.
class TokenVault : public QObject {
    Q_OBJECT

public:
    explicit TokenVault(QString account, QObject* parent = nullptr);

    void store(const QString& refreshToken);
    // Calls back with the stored token, or an empty string when there is none (or no keychain).
    void load(std::function<void(const QString&)> done);
    void forget();
    bool available() const { return m_available; }

Q_SIGNALS:
    void stored();
    // Said once: no keychain could be used; why, in words.
    void unavailable(const QString& reason);

private:
    void markUnavailable(const QString& reason);

    QString m_account;
    QString m_memory;
    bool m_available = true;
};

} // namespace breeze::console
