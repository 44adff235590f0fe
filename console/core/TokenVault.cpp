#include "TokenVault.h"

#include <qt6keychain/keychain.h>

namespace breeze::console {

namespace {
constexpr const char* kService = "breeze-console";
}

TokenVault::TokenVault(QString account, QObject* parent) : QObject(parent), m_account(std::move(account)) {}

void TokenVault::markUnavailable(const QString& reason) {
    if (!m_available)
        return;
    m_available = false;
    Q_EMIT unavailable(reason);
}

void TokenVault::store(const QString& refreshToken) {
    m_memory = refreshToken;
    if (!m_available)
        return;
    auto* job = new QKeychain::WritePasswordJob(kService, this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(m_account);
    job->setTextData(refreshToken);
    connect(job, &QKeychain::Job::finished, this, [this](QKeychain::Job* finished) {
        if (finished->error() == QKeychain::NoError)
            Q_EMIT stored();
        else
            markUnavailable(finished->errorString());
    });
    job->start();
}

void TokenVault::load(std::function<void(const QString&)> done) {
    if (!m_available) {
        done(m_memory);
        return;
    }
    auto* job = new QKeychain::ReadPasswordJob(kService, this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(m_account);
    connect(job, &QKeychain::Job::finished, this, [this, done = std::move(done)](QKeychain::Job* finished) {
        const auto* read = static_cast<QKeychain::ReadPasswordJob*>(finished);
        if (read->error() == QKeychain::NoError) {
            done(read->textData());
            return;
        }
        if (read->error() != QKeychain::EntryNotFound)
            markUnavailable(read->errorString());
        done(m_memory);
    });
    job->start();
}

void TokenVault::forget() {
    m_memory.clear();
    if (!m_available)
        return;
    auto* job = new QKeychain::DeletePasswordJob(kService, this);
    job->setAutoDelete(true);
    job->setKey(m_account);
    job->start();
}

} // namespace breeze::console
