#include "net/WebSocketConnector.h"

#include "units/Units.h"

#include <array>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sstream>

namespace breeze::net {

namespace {
constexpr std::size_t kMaxResponseHead = 16 * kKiB;
constexpr std::size_t kMaxResponseBody = 64 * kKiB;

std::string base64(const unsigned char* data, std::size_t size) {
    std::string out(4 * ((size + 2) / 3), '\0');
    const int written =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
    out.resize(static_cast<std::size_t>(written));
    return out;
}

std::string lower(std::string text) {
    for (char& c : text)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

std::string trim(const std::string& text) {
    const auto begin = text.find_first_not_of(" \t");
    const auto end = text.find_last_not_of(" \t\r");
    return begin == std::string::npos ? std::string() : text.substr(begin, end - begin + 1);
}

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds left(Clock::time_point deadline) {
    return std::max(std::chrono::milliseconds(0),
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
}

void writeAll(TlsConnection& connection, const std::string& bytes, Clock::time_point deadline) {
    std::size_t offset = 0;
    while (offset < bytes.size()) {
        const auto result = connection.write(bytes.data() + offset, bytes.size() - offset);
        if (result.io == TlsConnection::Io::Ok) {
            offset += result.bytes;
        } else if (result.io != TlsConnection::Io::WouldBlock || left(deadline).count() == 0) {
            throw std::runtime_error("the server closed the connection during the upgrade");
        } else {
            connection.waitReadable(std::chrono::milliseconds(10));
        }
    }
}

// Appends what arrives before the deadline; false when the peer closed.
bool readMore(TlsConnection& connection, std::string& into, Clock::time_point deadline) {
    std::array<char, 4096> buffer{};
    for (;;) {
        const auto result = connection.read(buffer.data(), buffer.size());
        if (result.io == TlsConnection::Io::Ok) {
            into.append(buffer.data(), result.bytes);
            return true;
        }
        if (result.io != TlsConnection::Io::WouldBlock)
            return false;
        if (!connection.waitReadable(left(deadline)))
            throw std::runtime_error("the server did not answer the upgrade in time");
    }
}
} // namespace

std::string webSocketAcceptKey(const std::string& clientKey) {
    const std::string input = clientKey + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    EVP_Digest(input.data(), input.size(), digest.data(), &length, EVP_sha1(), nullptr);
    return base64(digest.data(), length);
}

WebSocketTarget webSocketTargetFor(const std::string& serverUrl, const std::string& path) {
    // https://host[:port][/...] or wss://...; an IPv6 host is in brackets.
    const auto scheme = serverUrl.find("://");
    if (scheme == std::string::npos ||
        (serverUrl.compare(0, scheme, "https") != 0 && serverUrl.compare(0, scheme, "wss") != 0))
        throw std::runtime_error("the server URL must start with https:// (got " + serverUrl + ")");
    std::string authority = serverUrl.substr(scheme + 3);
    authority = authority.substr(0, authority.find('/'));
    WebSocketTarget target;
    target.path = path;
    std::string port;
    if (authority.starts_with("[")) {
        const auto close = authority.find(']');
        if (close == std::string::npos)
            throw std::runtime_error("bad server URL " + serverUrl);
        target.host = authority.substr(1, close - 1);
        if (close + 1 < authority.size() && authority[close + 1] == ':')
            port = authority.substr(close + 2);
    } else {
        const auto colon = authority.rfind(':');
        target.host = authority.substr(0, colon);
        if (colon != std::string::npos)
            port = authority.substr(colon + 1);
    }
    if (target.host.empty())
        throw std::runtime_error("bad server URL " + serverUrl);
    if (!port.empty()) {
        const unsigned long number = std::stoul(port);
        if (number == 0 || number > 65535)
            throw std::runtime_error("bad port in server URL " + serverUrl);
        target.port = static_cast<unsigned short>(number);
    }
    return target;
}

UpgradedConnection connectWebSocket(const WebSocketTarget& target, SSL_CTX* context,
                                    std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    UpgradedConnection upgraded;
    upgraded.connection =
        TlsConnection::connect(target.host, target.port, context, timeout, target.sourceAddress);
    TlsConnection& connection = *upgraded.connection;

    std::array<unsigned char, 16> nonce{};
    RAND_bytes(nonce.data(), static_cast<int>(nonce.size()));
    const std::string key = base64(nonce.data(), nonce.size());
    std::ostringstream request;
    const bool ipv6 = target.host.find(':') != std::string::npos;
    request
        << "GET " << target.path << " HTTP/1.1\r\nHost: " << (ipv6 ? "[" + target.host + "]" : target.host)
        << ":" << target.port
        << "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
        << key << "\r\n";
    for (const auto& [name, value] : target.headers)
        request << name << ": " << value << "\r\n";
    request << "\r\n";
    writeAll(connection, request.str(), deadline);

    std::string received;
    std::size_t headEnd = std::string::npos;
    while ((headEnd = received.find("\r\n\r\n")) == std::string::npos) {
        if (received.size() > kMaxResponseHead)
            throw std::runtime_error("the server's upgrade response is too large");
        if (!readMore(connection, received, deadline))
            throw std::runtime_error("the server closed the connection during the upgrade");
    }
    std::istringstream lines(received.substr(0, headEnd + 2));
    std::string rest = received.substr(headEnd + 4);
    std::string statusLine;
    std::getline(lines, statusLine);
    int status = 0;
    if (statusLine.size() >= 12 && statusLine.starts_with("HTTP/1.1 "))
        status = std::atoi(statusLine.c_str() + 9);
    std::map<std::string, std::string> headers;
    for (std::string line; std::getline(lines, line);) {
        const auto colon = line.find(':');
        if (colon != std::string::npos)
            headers[lower(trim(line.substr(0, colon)))] = trim(line.substr(colon + 1));
    }
    if (status != 101) {
        std::size_t length = 0;
        try {
            length = std::min<std::size_t>(std::stoul(headers["content-length"]), kMaxResponseBody);
        } catch (const std::exception&) {
        }
        while (rest.size() < length && readMore(connection, rest, deadline)) {
        }
        std::string code = "http_" + std::to_string(status);
        std::string message = "the server refused the connection (" + trim(statusLine) + ")";
        const auto doc = nlohmann::json::parse(rest.substr(0, length), nullptr, false);
        if (doc.is_object() && doc.contains("error") && doc["error"].is_object()) {
            code = doc["error"].value("code", code);
            message = doc["error"].value("message", message);
        }
        throw WebSocketRefused(status, code, message);
    }
    if (lower(headers["upgrade"]) != "websocket" ||
        headers["sec-websocket-accept"] != webSocketAcceptKey(key))
        throw std::runtime_error("the server's upgrade response is not a valid WebSocket handshake");
    upgraded.earlyBytes = std::move(rest);
    return upgraded;
}

} // namespace breeze::net
