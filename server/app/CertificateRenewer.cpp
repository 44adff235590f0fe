#include "app/CertificateRenewer.h"

#include "crypto/CertificateAuthority.h"
#include "ops/JsonLogger.h"

#include <sys/stat.h>

namespace breeze::server {

CertificateRenewer::CertificateRenewer(ServerConfig config, StateDirectory state, Install install)
    : m_config(std::move(config)), m_state(std::move(state)), m_install(std::move(install)),
      m_loadedStamp(fileStamp()) {}

CertificateRenewer::~CertificateRenewer() {
    stop();
}

void CertificateRenewer::start() {
    m_thread = std::thread([this] {
        std::unique_lock lock(m_mutex);
        while (!m_wake.wait_for(lock, std::chrono::seconds(m_config.tlsRenewalCheckSeconds),
                                [this] { return m_stopping; })) {
            lock.unlock();
            check();
            lock.lock();
        }
    });
}

void CertificateRenewer::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

std::string CertificateRenewer::fileStamp() const {
    std::string stamp;
    for (const auto& file : {m_state.certificateFile, m_state.privateKeyFile}) {
        struct stat info {};
        if (::stat(file.c_str(), &info) == 0)
            stamp += std::to_string(info.st_mtim.tv_sec) + "." + std::to_string(info.st_mtim.tv_nsec) + ":" +
                     std::to_string(info.st_size) + ";";
    }
    return stamp;
}

bool CertificateRenewer::check() {
    try {
        const bool generated = !m_state.caCertificateFile.empty();
        if (generated && StateDirectory::renewGeneratedCertificate(m_config))
            logger().info("server certificate renewed under the same CA",
                          {{"certificate", m_state.certificateFile}});
        const std::string stamp = fileStamp();
        if (stamp == m_loadedStamp)
            return false;
        m_install(net::makeServerSslContext(m_state.certificateFile, m_state.privateKeyFile));
        m_loadedStamp = stamp;
        logger().info("serving a new certificate",
                      {{"certificate", m_state.certificateFile}, {"generated", generated}});
        return true;
    } catch (const std::exception& error) {
        logger().error("certificate renewal failed; the current certificate stays in use",
                       {{"error", error.what()}});
        return false;
    }
}

} // namespace breeze::server
