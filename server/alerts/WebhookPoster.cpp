#include "alerts/WebhookPoster.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>
#include <poll.h>

namespace breeze::server {

namespace {
using Clock = std::chrono::steady_clock;
constexpr std::size_t kLongestUrl = 2000;
constexpr std::size_t kMostAnswerBytes = std::size_t{16} * 1024;

// Waits until the connection can go on in the direction OpenSSL asked for; false at the deadline.
bool waitFor(const net::TlsConnection& connection, Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0)
        return false;
    pollfd descriptor{connection.fd(), static_cast<short>(connection.wantsWrite() ? POLLOUT : POLLIN), 0};
    return ::poll(&descriptor, 1, static_cast<int>(left)) > 0;
}

void writeAll(net::TlsConnection& connection, const std::string& data, Clock::time_point deadline) {
    std::size_t written = 0;
    while (written < data.size()) {
        const auto result = connection.write(data.data() + written, data.size() - written);
        if (result.io == net::TlsConnection::Io::Ok) {
            written += result.bytes;
        } else if (result.io == net::TlsConnection::Io::WouldBlock) {
            if (!waitFor(connection, deadline))
                throw std::runtime_error("the receiver took too long to accept the request");
        } else {
            throw std::runtime_error("the connection failed while sending: " + connection.error());
        }
    }
}

// Reads until the head and a little of the body are in, the receiver closes, or the deadline.
std::string readAnswer(net::TlsConnection& connection, Clock::time_point deadline) {
    std::string answer;
    char buffer[4096];
    while (answer.size() < kMostAnswerBytes) {
        const auto result = connection.read(buffer, sizeof buffer);
        if (result.io == net::TlsConnection::Io::Ok) {
            answer.append(buffer, result.bytes);
            const auto headEnd = answer.find("\r\n\r\n");
            if (headEnd != std::string::npos && answer.size() >= headEnd + 4 + 512)
                break;
        } else if (result.io == net::TlsConnection::Io::WouldBlock) {
            if (!waitFor(connection, deadline)) {
                if (answer.find("\r\n\r\n") != std::string::npos)
                    break; // a kept-alive connection: the head is what counts
                throw std::runtime_error("the receiver did not answer in time");
            }
        } else {
            break; // closed: what came is the answer
        }
    }
    return answer;
}
} // namespace

WebhookPoster::WebhookPoster(net::SslContextPtr tls, DestinationPolicy policy,
                             std::chrono::milliseconds timeout)
    : m_tls(std::move(tls)), m_policy(policy), m_timeout(timeout) {}

std::string WebhookPoster::urlProblem(const std::string& url) {
    if (url.size() > kLongestUrl)
        return "the URL is longer than 2000 characters";
    for (const unsigned char c : url)
        if (c <= 0x20 || c >= 0x7f)
            return "the URL has a space, a control character or a character that must be percent-encoded";
    try {
        const Poco::URI uri(url);
        if (uri.getScheme() != "https")
            return "the URL must start with https://";
        if (uri.getHost().empty())
            return "the URL has no host";
        if (!uri.getUserInfo().empty())
            return "the URL must not carry a user name or password";
    } catch (const Poco::Exception& error) {
        return "the URL cannot be read: " + error.displayText();
    }
    return "";
}

DeliveryResult WebhookPoster::post(const std::string& url, const std::string& body,
                                   const std::map<std::string, std::string>& headers) const {
    if (const std::string problem = urlProblem(url); !problem.empty())
        return {false, 0, problem};
    const Poco::URI uri(url);
    const auto deadline = Clock::now() + m_timeout;
    std::unique_ptr<net::TlsConnection> connection;
    try {
        connection = net::TlsConnection::connect(
            uri.getHost(), uri.getPort(), m_tls.get(), m_timeout, {},
            [this](const ::sockaddr* address) { return m_policy.refusal(address); });
        std::string target = uri.getPathEtc();
        if (const auto hash = target.find('#'); hash != std::string::npos)
            target.erase(hash);
        if (target.empty())
            target = "/";
        std::string request =
            "POST " + target + " HTTP/1.1\r\nHost: " + uri.getHost() +
            (uri.getPort() == 443 ? std::string() : ":" + std::to_string(uri.getPort())) +
            "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\nUser-Agent: Breeze/" BREEZE_VERSION "\r\nConnection: close\r\n";
        for (const auto& [name, value] : headers)
            request += name + ": " + value + "\r\n";
        request += "\r\n" + body;
        writeAll(*connection, request, deadline);
        const std::string answer = readAnswer(*connection, deadline);
        connection->sendCloseNotify();
        // "HTTP/1.1 204 No Content"
        if (answer.size() < 12 || answer.compare(0, 5, "HTTP/") != 0)
            return {false, 0, "the receiver's answer is not HTTP"};
        const auto space = answer.find(' ');
        int status = 0;
        for (std::size_t i = space + 1; i < answer.size() && i < space + 4; ++i)
            status = status * 10 + (answer[i] >= '0' && answer[i] <= '9' ? answer[i] - '0' : 0);
        const auto headEnd = answer.find("\r\n\r\n");
        std::string excerpt = headEnd == std::string::npos ? std::string() : answer.substr(headEnd + 4, 200);
        for (auto& c : excerpt)
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
                c = ' ';
        std::string detail = "HTTP " + std::to_string(status) + (excerpt.empty() ? "" : ": " + excerpt);
        return {status >= 200 && status < 300, status, detail};
    } catch (const std::exception& error) {
        return {false, 0, error.what()};
    }
}

} // namespace breeze::server
