#include "ConsoleConnection.h"

namespace breeze::console {

ConsoleConnection::ConsoleConnection(QUrl server, const QList<QSslCertificate>& trustedCas, QObject* parent)
    : QObject(parent), m_api(std::move(server), trustedCas), m_session(m_api), m_live(m_api),
      m_tree(m_devices), m_directory(m_api, m_live, m_devices, m_tree), m_commands(m_api, m_live) {
    connect(&m_session, &SignInSession::accessTokenChanged, &m_live, &LiveChannel::renew);
    connect(&m_session, &SignInSession::signedInChanged, this, [this](bool signedIn) {
        if (signedIn) {
            m_live.start();
            m_directory.reload();
        } else {
            m_live.stop();
        }
    });
}

} // namespace breeze::console
