#include "enrollment/ServerTrust.h"

#include "crypto/CertificateAuthority.h"

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/URI.h>
#include <fstream>
#include <memory>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <sstream>
#include <stdexcept>

namespace breeze::agent {

namespace {
std::string pemOf(X509* certificate) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_X509(bio.get(), certificate);
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(length));
}
} // namespace

std::string ServerTrust::normaliseFingerprint(const std::string& fingerprint) {
    std::string out;
    for (char c : fingerprint) {
        if (c == ':' || c == ' ')
            continue;
        if (!std::isxdigit(static_cast<unsigned char>(c)))
            throw std::runtime_error("the fingerprint must be 64 hexadecimal digits (colons allowed)");
        out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    if (out.size() != 64)
        throw std::runtime_error("the fingerprint must be 64 hexadecimal digits (colons allowed)");
    return out;
}

std::string ServerTrust::caFromFile(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error("cannot read the CA file " + path);
    std::ostringstream pem;
    pem << in.rdbuf();
    try {
        crypto::CertificateAuthority::sha256Fingerprint(pem.str()); // parses it
    } catch (const std::exception&) {
        throw std::runtime_error(path + " is not a PEM certificate");
    }
    return pem.str();
}

std::string ServerTrust::caFromFingerprint(const std::string& serverUrl, const std::string& fingerprint) {
    const std::string wanted = normaliseFingerprint(fingerprint);
    const Poco::URI uri(serverUrl);
    Poco::Net::StreamSocket socket;
    socket.connect(Poco::Net::SocketAddress(uri.getHost(), uri.getPort()), Poco::Timespan(10, 0));
    socket.setReceiveTimeout(Poco::Timespan(10, 0));
    socket.setSendTimeout(Poco::Timespan(10, 0));

    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> context(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
    SSL_CTX_set_min_proto_version(context.get(), TLS1_2_VERSION);
    SSL_CTX_set_verify(context.get(), SSL_VERIFY_NONE,
                       nullptr); // only collecting the chain; trust comes next
    std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(context.get()), SSL_free);
    SSL_set_tlsext_host_name(ssl.get(), uri.getHost().c_str());
    SSL_set_fd(ssl.get(), socket.impl()->sockfd());
    if (SSL_connect(ssl.get()) != 1) {
        char reason[256] = "";
        ERR_error_string_n(ERR_get_error(), reason, sizeof reason);
        throw std::runtime_error("TLS handshake with " + serverUrl + " failed: " + reason);
    }
    STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl.get());
    std::string match;
    for (int i = 0; chain && i < sk_X509_num(chain); ++i) {
        const std::string pem = pemOf(sk_X509_value(chain, i));
        if (crypto::CertificateAuthority::sha256Fingerprint(pem) == wanted)
            match = pem;
    }
    SSL_shutdown(ssl.get());
    if (match.empty())
        throw std::runtime_error("no certificate presented by " + serverUrl +
                                 " has the fingerprint given; refusing to trust this server");
    return match;
}

} // namespace breeze::agent
