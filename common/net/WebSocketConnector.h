#pragma once

#include "net/TlsConnection.h"

#include <chrono>
#include <map>
#include <stdexcept>
#include <string>

namespace breeze::net {

// The server answered the upgrade with something other than 101: its status and {"error":{...}} message.
class WebSocketRefused : public std::runtime_error {
public:
    WebSocketRefused(int status, std::string code, const std::string& message)
        : std::runtime_error(message), m_status(status), m_code(std::move(code)) {}
    int status() const { return m_status; }
    const std::string& code() const { return m_code; }

private:
    int m_status;
    std::string m_code;
};

struct WebSocketTarget {
    std::string host;
    unsigned short port = 443;
    std::string path;
    std::map<std::string, std::string> headers;
    std::string sourceAddress; // optional local address to bind (the benchmark spreads over 127.0.0.0/8)
};

struct UpgradedConnection {
    std::unique_ptr<TlsConnection> connection;
    std::string earlyBytes; // frames that arrived with the response; prime the channel with them
};

// Dials wss://host:port/path, verifies the server (chain and name against the context's CAs), performs the
// upgrade and returns the connection ready for a WebSocketChannel. Throws WebSocketRefused or
// std::runtime_error.
UpgradedConnection connectWebSocket(const WebSocketTarget& target, SSL_CTX* context,
                                    std::chrono::milliseconds timeout);

// Splits https://host:port/ (or wss://) into a target; the path is given separately.
WebSocketTarget webSocketTargetFor(const std::string& serverUrl, const std::string& path);

// The Sec-WebSocket-Accept value for a Sec-WebSocket-Key (RFC 6455 §4.2.2).
std::string webSocketAcceptKey(const std::string& clientKey);

} // namespace breeze::net
