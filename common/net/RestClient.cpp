#include "net/RestClient.h"

#include "net/TlsClientContext.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sstream>
#include <stdexcept>

namespace breeze::net {

std::string RestResponse::errorMessage() const {
    if (body.is_object() && body.contains("error") && body["error"].is_object() &&
        body["error"].contains("message"))
        return body["error"]["message"].get<std::string>();
    return "HTTP " + std::to_string(status);
}

std::string RestResponse::errorCode() const {
    if (body.is_object() && body.contains("error") && body["error"].is_object() &&
        body["error"].contains("code"))
        return body["error"]["code"].get<std::string>();
    return "";
}

std::string urlEncode(const std::string& value) {
    std::string out;
    Poco::URI::encode(value, "!#$&'()*+,/:;=?@[]", out);
    return out;
}

RestClient::RestClient(const std::string& baseUrl, const std::string& caFile) {
    const Poco::URI uri(baseUrl);
    if (uri.getScheme() != "https")
        throw std::runtime_error("the server URL must start with https:// (got " + baseUrl + ")");
    const Poco::Net::Context::Ptr context = makeVerifyingClientContext(uri.getHost(), caFile);
    m_session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), context);
    m_session->setKeepAlive(true);
    m_session->setTimeout(Poco::Timespan(60, 0));
}

RestClient::~RestClient() = default;

RestResponse RestClient::request(const std::string& method, const std::string& pathAndQuery,
                                 const std::optional<nlohmann::json>& body) {
    return sendRaw(method, pathAndQuery, body ? body->dump() : std::string(), body ? "application/json" : "");
}

RestResponse RestClient::sendRaw(const std::string& method, const std::string& pathAndQuery,
                                 const std::string& body, const std::string& contentType) {
    Poco::Net::HTTPRequest request(method, pathAndQuery, Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Accept", "application/json");
    if (!m_bearer.empty())
        request.set("Authorization", "Bearer " + m_bearer);
    for (const auto& [name, value] : m_extraHeaders)
        request.set(name, value);
    if (!contentType.empty() || !body.empty())
        request.setContentType(contentType.empty() ? "application/json" : contentType);
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH")
        request.setContentLength(static_cast<std::streamsize>(body.size()));
    RestResponse result;
    for (int attempt = 0;; ++attempt) {
        try {
            std::ostream& out = m_session->sendRequest(request);
            out << body;
            Poco::Net::HTTPResponse response;
            std::istream& in = m_session->receiveResponse(response);
            std::ostringstream raw;
            Poco::StreamCopier::copyStream(in, raw);
            result.status = response.getStatus();
            result.raw = raw.str();
            for (const auto& [name, value] : response)
                result.headers[name] = value;
            break;
        } catch (const Poco::Net::SSLException&) {
            throw; // a certificate problem does not get better by retrying
        } catch (const Poco::Exception& error) {
            // A kept-alive connection the server has since closed: reconnect once, but only for requests that
            // are safe to send twice.
            m_session->reset();
            if (attempt > 0 || method == "POST" || method == "PATCH")
                throw std::runtime_error("cannot reach the server: " + error.displayText());
        }
    }
    if (!result.raw.empty()) {
        result.body = nlohmann::json::parse(result.raw, nullptr, false);
        if (result.body.is_discarded())
            result.body = nullptr;
    }
    return result;
}

} // namespace breeze::net
