#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace Poco::Net {
class HTTPSClientSession;
}

namespace breeze::net {

struct RestResponse {
    int status = 0;
    nlohmann::json body; // null when the body was empty or not JSON
    std::string raw;
    std::map<std::string, std::string> headers;

    bool ok() const { return status >= 200 && status < 300; }
    // The server's {"error":{"message"}} when there is one, else the status line.
    std::string errorMessage() const;
    std::string errorCode() const;
};

// A blocking HTTPS client for the REST API that verifies the server against a given CA file (or the system's
// trust store when none is given) and the host name, and keeps its connection alive between calls.
class RestClient {
public:
    RestClient(const std::string& baseUrl, const std::string& caFile);
    ~RestClient();

    void setBearer(std::string token) { m_bearer = std::move(token); }
    const std::string& bearer() const { return m_bearer; }
    void setHeader(const std::string& name, const std::string& value) { m_extraHeaders[name] = value; }

    RestResponse request(const std::string& method, const std::string& pathAndQuery,
                         const std::optional<nlohmann::json>& body = std::nullopt);
    RestResponse sendRaw(const std::string& method, const std::string& pathAndQuery, const std::string& body,
                         const std::string& contentType);
    RestResponse get(const std::string& path) { return request("GET", path); }
    RestResponse post(const std::string& path, const nlohmann::json& body) {
        return request("POST", path, body);
    }
    RestResponse patch(const std::string& path, const nlohmann::json& body) {
        return request("PATCH", path, body);
    }
    RestResponse del(const std::string& path) { return request("DELETE", path); }

private:
    std::unique_ptr<Poco::Net::HTTPSClientSession> m_session;
    std::string m_bearer;
    std::map<std::string, std::string> m_extraHeaders;
};

// Percent-encodes a query value.
std::string urlEncode(const std::string& value);

} // namespace breeze::net
