#pragma once

#include "app/StateDirectory.h"

#include <memory>

namespace Poco {
class ThreadPool;
}
namespace Poco::Net {
class HTTPServer;
}

namespace breeze::server {

struct ServerContext;

// The TLS listener (TLS 1.2 and 1.3 only) and Poco's HTTP server on top of it.
class HttpsServer {
public:
    HttpsServer(ServerContext& context, const StateDirectory& state);
    ~HttpsServer();

    void start();
    // Stops accepting, lets requests in flight finish for up to `grace`, then closes what is left.
    void stop(int graceSeconds);
    unsigned short port() const;

private:
    // Sized by http.max_threads, which is then the real limit on simultaneous connections (each kept-alive
    // connection holds a thread); declared first so it outlives the server.
    std::unique_ptr<Poco::ThreadPool> m_threads;
    std::unique_ptr<Poco::Net::HTTPServer> m_server;
    unsigned short m_port = 0;
};

} // namespace breeze::server
