#include "app/HttpsServer.h"

#include "app/ServerContext.h"
#include "http/RequestDispatcher.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>
#include <chrono>
#include <openssl/ssl.h>
#include <thread>

namespace breeze::server {

namespace {
Poco::Net::Context::Ptr makeTlsContext(const StateDirectory& state) {
    Poco::Net::Context::Params params;
    params.privateKeyFile = state.privateKeyFile;
    params.certificateFile = state.certificateFile;
    params.verificationMode =
        Poco::Net::Context::VERIFY_NONE; // clients authenticate with tokens, not certificates
    params.loadDefaultCAs = false;
    params.cipherList = "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!MD5:!RC4:!3DES";
    Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
    SSL_CTX_set_min_proto_version(context->sslContext(), TLS1_2_VERSION);
    context->enableSessionCache(true, "breeze-server");
    context->preferServerCiphers();
    return context;
}
} // namespace

HttpsServer::HttpsServer(ServerContext& context, const StateDirectory& state) {
    Poco::Net::Context::Ptr tls = makeTlsContext(state);
    const auto& config = context.config;
    Poco::Net::SocketAddress address(config.listenAddress, static_cast<Poco::UInt16>(config.port));
    Poco::Net::SecureServerSocket socket(address, 256, tls);
    m_port = socket.address().port();
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(config.httpMaxThreads);
    params->setMaxQueued(config.httpMaxQueued);
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(config.httpIdleTimeoutSeconds, 0));
    params->setTimeout(Poco::Timespan(30, 0));
    params->setServerName("breeze-server");
    params->setSoftwareVersion("breeze-server");
    m_threads = std::make_unique<Poco::ThreadPool>(2, config.httpMaxThreads);
    m_server = std::make_unique<Poco::Net::HTTPServer>(new RequestDispatcherFactory(context), *m_threads,
                                                       socket, params);
}

HttpsServer::~HttpsServer() = default;

void HttpsServer::start() {
    m_server->start();
}

unsigned short HttpsServer::port() const {
    return m_port;
}

void HttpsServer::stop(int graceSeconds) {
    m_server->stop();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(graceSeconds);
    while (m_server->currentConnections() > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    m_server->stopAll(true);
}

} // namespace breeze::server
