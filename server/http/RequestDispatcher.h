#pragma once

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>

namespace breeze::server {

struct ServerContext;

// Every REST request passes through here: request id, body limit, route match, authentication, the route,
// error mapping, audit of refused mutations, the access log and metrics.
class RequestDispatcher : public Poco::Net::HTTPRequestHandler {
public:
    explicit RequestDispatcher(ServerContext& server) : m_server(server) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) override;

private:
    ServerContext& m_server;
};

class RequestDispatcherFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit RequestDispatcherFactory(ServerContext& server) : m_server(server) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new RequestDispatcher(m_server);
    }

private:
    ServerContext& m_server;
};

} // namespace breeze::server
