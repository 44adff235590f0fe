#pragma once

#include "gateway/HttpRequestHandler.h"

namespace breeze::server {

struct ServerContext;

// Every REST request passes through here: request id, route match, authentication (before any body is read,
// so strangers cannot make the server hold their bodies), the route, error mapping, audit of refused
// mutations, the access log and metrics. Runs on the front door's workers.
class RequestDispatcher : public HttpRequestHandler {
public:
    explicit RequestDispatcher(ServerContext& server) : m_server(server) {}
    std::unique_ptr<HttpExchange> open(protocol::HttpRequestHead head,
                                       const std::string& peerAddress) override;
    HttpAnswer reject(const std::string& peerAddress, int status, const std::string& code,
                      const std::string& message) override;

private:
    ServerContext& m_server;
};

} // namespace breeze::server
