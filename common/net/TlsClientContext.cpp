#include "net/TlsClientContext.h"

#include <Poco/Net/SSLManager.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace breeze::net {

Poco::Net::Context::Ptr makeVerifyingClientContext(const std::string& host, const std::string& caFile,
                                                   bool alsoSystemStore) {
    static const bool sslReady = [] {
        Poco::Net::initializeSSL();
        return true;
    }();
    (void)sslReady;
    Poco::Net::Context::Params params;
    params.caLocation = caFile;
    params.loadDefaultCAs = caFile.empty() || alsoSystemStore;
    params.verificationMode = Poco::Net::Context::VERIFY_RELAXED;
    params.cipherList = "HIGH:!aNULL:!MD5:!RC4";
    Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
    SSL_CTX_set_min_proto_version(context->sslContext(), TLS1_2_VERSION);
    // Idle agents hold no TLS buffers.
    SSL_CTX_set_mode(context->sslContext(), SSL_MODE_RELEASE_BUFFERS);
    // OpenSSL checks the certificate's names during the handshake itself (Poco's own later check does not
    // cover every case, such as an IP address that is not in the certificate).
    X509_VERIFY_PARAM* verify = SSL_CTX_get0_param(context->sslContext());
    if (X509_VERIFY_PARAM_set1_ip_asc(verify, host.c_str()) != 1) {
        X509_VERIFY_PARAM_set_hostflags(verify, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        X509_VERIFY_PARAM_set1_host(verify, host.c_str(), host.size());
    }
    return context;
}

} // namespace breeze::net
