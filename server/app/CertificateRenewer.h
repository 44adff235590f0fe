#pragma once

#include "app/StateDirectory.h"
#include "config/ServerConfig.h"
#include "net/TlsConnection.h"

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace breeze::server {

// Keeps the served certificate current without a restart. A generated certificate is renewed under the same
// CA well before it expires (agents pin the CA, so they notice nothing); a certificate the operator brought
// is reloaded when its files change (a certbot renewal, say). New connections get the new certificate; open
// ones keep theirs. A renewal that fails is logged and the certificate in use stays.
class CertificateRenewer {
public:
    using Install = std::function<void(net::SslContextPtr)>;

    CertificateRenewer(ServerConfig config, StateDirectory state, Install install);
    ~CertificateRenewer();

    void start();
    void stop();
    // One look now; true when a new certificate was installed.
    bool check();

private:
    std::string fileStamp() const;

    ServerConfig m_config;
    StateDirectory m_state;
    Install m_install;
    std::string m_loadedStamp;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace breeze::server
