#include "net/TlsConnection.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace breeze::net {

namespace {
std::string sslErrors() {
    std::string text;
    while (const unsigned long code = ERR_get_error()) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        if (!text.empty())
            text += "; ";
        text += buffer;
    }
    return text;
}

void setNonBlocking(int fd) {
    const int flags = fcntl(fd, F_GETFL, 0);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

SslContextPtr wrap(SSL_CTX* context) {
    if (!context)
        throw std::runtime_error("cannot create a TLS context: " + sslErrors());
    SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
    SSL_CTX_set_mode(context, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                                  SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    return SslContextPtr(context, SSL_CTX_free);
}

bool waitFor(int fd, short events, std::chrono::steady_clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
        return false;
    pollfd p{fd, events, 0};
    int rc = 0;
    do {
        rc = ::poll(&p, 1, static_cast<int>(left.count()));
    } while (rc < 0 && errno == EINTR);
    return rc > 0;
}
} // namespace

SslContextPtr makeClientSslContext(const std::string& caFile) {
    SslContextPtr context = wrap(SSL_CTX_new(TLS_client_method()));
    SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, nullptr);
    const int loaded = caFile.empty() ? SSL_CTX_set_default_verify_paths(context.get())
                                      : SSL_CTX_load_verify_locations(context.get(), caFile.c_str(), nullptr);
    if (loaded != 1)
        throw std::runtime_error("cannot load the CA certificates " + caFile + ": " + sslErrors());
    return context;
}

SslContextPtr makeServerSslContext(const std::string& certificateChainFile,
                                   const std::string& privateKeyFile) {
    SslContextPtr context = wrap(SSL_CTX_new(TLS_server_method()));
    if (SSL_CTX_use_certificate_chain_file(context.get(), certificateChainFile.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(context.get(), privateKeyFile.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(context.get()) != 1)
        throw std::runtime_error("cannot load the TLS certificate " + certificateChainFile + ": " +
                                 sslErrors());
    SSL_CTX_set_min_proto_version(context.get(), TLS1_2_VERSION);
    SSL_CTX_set_cipher_list(context.get(), "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!MD5:!RC4:!3DES");
    SSL_CTX_set_options(context.get(), SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
    // Agents reconnect after restarts: tickets make their resumed handshakes cheap.
    SSL_CTX_set_session_cache_mode(context.get(), SSL_SESS_CACHE_SERVER);
    return context;
}

std::unique_ptr<TlsConnection> TlsConnection::accept(int fd, SSL_CTX* context) {
    setNonBlocking(fd);
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    SSL* ssl = SSL_new(context);
    if (!ssl) {
        ::close(fd);
        throw std::runtime_error("cannot create a TLS session: " + sslErrors());
    }
    SSL_set_fd(ssl, fd);
    SSL_set_accept_state(ssl);
    return std::unique_ptr<TlsConnection>(new TlsConnection(fd, ssl));
}

std::unique_ptr<TlsConnection>
TlsConnection::connect(const std::string& host, unsigned short port, SSL_CTX* context,
                       std::chrono::milliseconds timeout, const std::string& sourceAddress,
                       const std::function<std::string(const sockaddr*)>& refuseAddress) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0)
        throw std::runtime_error("cannot resolve " + host + ": " + gai_strerror(rc));
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, freeaddrinfo);
    std::string lastError = "no address for " + host;
    for (addrinfo* address = found; address; address = address->ai_next) {
        if (refuseAddress) {
            if (std::string reason = refuseAddress(address->ai_addr); !reason.empty()) {
                lastError = std::move(reason);
                continue;
            }
        }
        const int fd = ::socket(address->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
            continue;
        if (!sourceAddress.empty() && address->ai_family == AF_INET) {
            sockaddr_in local{};
            local.sin_family = AF_INET;
            inet_pton(AF_INET, sourceAddress.c_str(), &local.sin_addr);
            if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
                lastError = "cannot bind " + sourceAddress + ": " + std::strerror(errno);
                ::close(fd);
                continue;
            }
        }
        if (::connect(fd, address->ai_addr, address->ai_addrlen) != 0 && errno != EINPROGRESS) {
            lastError = std::string("cannot connect: ") + std::strerror(errno);
            ::close(fd);
            continue;
        }
        int soError = 0;
        socklen_t length = sizeof soError;
        if (!waitFor(fd, POLLOUT, deadline) || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length) != 0 ||
            soError != 0) {
            lastError = "cannot connect to " + host + ":" + std::to_string(port) + ": " +
                        (soError ? std::strerror(soError) : "timed out");
            ::close(fd);
            continue;
        }
        const int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        SSL* ssl = SSL_new(context);
        std::unique_ptr<TlsConnection> connection(new TlsConnection(fd, ssl));
        SSL_set_fd(ssl, fd);
        SSL_set_connect_state(ssl);
        SSL_set_tlsext_host_name(ssl, host.c_str());
        // OpenSSL checks the name during the handshake: an IP must be in the certificate's SANs as an IP.
        X509_VERIFY_PARAM* verify = SSL_get0_param(ssl);
        if (X509_VERIFY_PARAM_set1_ip_asc(verify, host.c_str()) != 1) {
            X509_VERIFY_PARAM_set_hostflags(verify, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            SSL_set1_host(ssl, host.c_str());
        }
        for (;;) {
            const Io io = connection->handshake();
            if (io == Io::Ok)
                return connection;
            if (io != Io::WouldBlock) {
                const long verified = SSL_get_verify_result(ssl);
                throw std::runtime_error("TLS handshake with " + host + " failed: " +
                                         (verified != X509_V_OK
                                              ? std::string("certificate not trusted (") +
                                                    X509_verify_cert_error_string(verified) + ")"
                                              : connection->error()));
            }
            const bool wantWrite = SSL_want_write(ssl);
            if (!waitFor(fd, wantWrite ? POLLOUT : POLLIN, deadline))
                throw std::runtime_error("TLS handshake with " + host + " timed out");
        }
    }
    throw std::runtime_error(lastError);
}

TlsConnection::~TlsConnection() {
    if (m_ssl)
        SSL_free(m_ssl);
    if (m_fd >= 0)
        ::close(m_fd);
}

TlsConnection::Io TlsConnection::classify(int rc) {
    const int code = SSL_get_error(m_ssl, rc);
    switch (code) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
        return Io::WouldBlock;
    case SSL_ERROR_ZERO_RETURN:
        return Io::Closed;
    case SSL_ERROR_SYSCALL:
        if (errno == EAGAIN || errno == EINTR)
            return Io::WouldBlock;
        m_error = errno ? std::strerror(errno) : "connection reset";
        ERR_clear_error();
        m_failed = true;
        return errno == 0 ? Io::Closed : Io::Failed;
    default:
        m_failed = true;
        m_error = sslErrors();
        if (m_error.empty())
            m_error = "TLS error " + std::to_string(code);
        return Io::Failed;
    }
}

std::string TlsConnection::peerCertificatePem() const {
    X509* certificate = SSL_get1_peer_certificate(m_ssl);
    if (!certificate)
        return "";
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, certificate);
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    std::string pem(data, static_cast<std::size_t>(length));
    BIO_free(bio);
    X509_free(certificate);
    return pem;
}

void TlsConnection::sendCloseNotify() {
    // Only on a session that is established and has not failed: OpenSSL must not shut down after a fatal
    // error. One call queues the alert without waiting for the peer's (the socket is closing anyway).
    if (m_failed || !SSL_is_init_finished(m_ssl))
        return;
    ERR_clear_error();
    SSL_shutdown(m_ssl);
    ERR_clear_error();
}

TlsConnection::Io TlsConnection::handshake() {
    ERR_clear_error();
    errno = 0;
    const int rc = SSL_do_handshake(m_ssl);
    return rc == 1 ? Io::Ok : classify(rc);
}

bool TlsConnection::wantsWrite() const {
    return SSL_want_write(m_ssl) != 0;
}

TlsConnection::Result TlsConnection::read(char* buffer, std::size_t size) {
    ERR_clear_error();
    errno = 0;
    std::size_t got = 0;
    const int rc = SSL_read_ex(m_ssl, buffer, size, &got);
    if (rc == 1)
        return {Io::Ok, got};
    return {classify(rc), 0};
}

TlsConnection::Result TlsConnection::write(const char* data, std::size_t size) {
    ERR_clear_error();
    errno = 0;
    std::size_t written = 0;
    const int rc = SSL_write_ex(m_ssl, data, size, &written);
    if (rc == 1)
        return {Io::Ok, written};
    return {classify(rc), 0};
}

bool TlsConnection::waitReadable(std::chrono::milliseconds timeout) const {
    if (SSL_pending(m_ssl) > 0)
        return true;
    return waitFor(m_fd, POLLIN, std::chrono::steady_clock::now() + timeout);
}

std::string TlsConnection::peerAddress() const {
    return peerAddressOf(m_fd);
}

std::string peerAddressOf(int fd) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
        return "";
    char text[INET6_ADDRSTRLEN] = {};
    if (address.ss_family == AF_INET)
        inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&address)->sin_addr, text, sizeof text);
    else if (address.ss_family == AF_INET6) {
        const in6_addr& v6 = reinterpret_cast<sockaddr_in6*>(&address)->sin6_addr;
        // The gateway's dual-stack socket sees IPv4 peers as ::ffff:a.b.c.d; people expect a.b.c.d.
        if (IN6_IS_ADDR_V4MAPPED(&v6))
            inet_ntop(AF_INET, &v6.s6_addr[12], text, sizeof text);
        else
            inet_ntop(AF_INET6, &v6, text, sizeof text);
    }
    return text;
}

} // namespace breeze::net
