#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;
struct sockaddr;

namespace breeze::net {

using SslContextPtr = std::shared_ptr<SSL_CTX>;

// TLS 1.2+ client context verifying the peer against caFile (the system's store when empty). Host names are
// checked per connection. Idle connections release their buffers.
SslContextPtr makeClientSslContext(const std::string& caFile);
// Server context from a PEM certificate chain and key.
SslContextPtr makeServerSslContext(const std::string& certificateChainFile,
                                   const std::string& privateKeyFile);

// The peer's address of a connected socket as people write it (an IPv4 peer of a dual-stack socket as
// a.b.c.d); "" when it has none.
std::string peerAddressOf(int fd);

// One TLS connection on a non-blocking socket, driven by poll/epoll. Owns the descriptor and the SSL object.
// Written directly on OpenSSL because Poco 1.11's SecureStreamSocketImpl does not pass non-blocking mode to
// its inner socket, so a would-block read there polls and retries instead of returning (see
// docs/decisions.md).
class TlsConnection {
public:
    enum class Io { Ok, WouldBlock, Closed, Failed };
    struct Result {
        Io io;
        std::size_t bytes = 0;
    };

    // Server side of an accepted descriptor; call handshake() until it returns Ok.
    static std::unique_ptr<TlsConnection> accept(int fd, SSL_CTX* context);
    // Dials host:port (optionally from sourceAddress), verifies the certificate chain and name, and finishes
    // the handshake within timeout. Throws std::runtime_error with the reason.
    // `refuseAddress`, when given, is asked about each address the name resolves to before it is dialled
    // ("" lets it through, else the reason): a check on the very address used, which a later lookup cannot
    // change.
    static std::unique_ptr<TlsConnection>
    connect(const std::string& host, unsigned short port, SSL_CTX* context, std::chrono::milliseconds timeout,
            const std::string& sourceAddress = {},
            const std::function<std::string(const ::sockaddr*)>& refuseAddress = {});
    ~TlsConnection();
    TlsConnection(const TlsConnection&) = delete;
    TlsConnection& operator=(const TlsConnection&) = delete;

    int fd() const { return m_fd; }
    Io handshake();
    // After a WouldBlock: whether OpenSSL waits to write (else to read).
    bool wantsWrite() const;
    Result read(char* buffer, std::size_t size);
    Result write(const char* data, std::size_t size);
    // Waits (poll) until readable or timeout; for the blocking steps of a client handshake.
    bool waitReadable(std::chrono::milliseconds timeout) const;
    const std::string& error() const { return m_error; }
    std::string peerAddress() const;
    // Tells the peer the session ends here (TLS close_notify), so it reads a clean end of stream rather than
    // a truncation; nothing when the session failed or never began.
    void sendCloseNotify();
    // The certificate the peer presented (PEM), "" when none.
    std::string peerCertificatePem() const;

private:
    TlsConnection(int fd, SSL* ssl) : m_fd(fd), m_ssl(ssl) {}
    Io classify(int rc);

    int m_fd;
    SSL* m_ssl;
    std::string m_error;
    bool m_failed = false;
};

} // namespace breeze::net
