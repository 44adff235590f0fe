#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace breeze::protocol {

inline constexpr std::size_t kMaxRequestHeadBytes = 16384;
inline constexpr std::size_t kMaxRequestHeaders = 100;

// The head of an HTTP/1.x request, the first bytes any peer of the front door sends. Strict: a token method,
// an origin-form target of printable ASCII, HTTP/1.0 or 1.1, well-formed header lines without obsolete
// folding or control characters, within a size and count limit. Headers that must be single (Host,
// Content-Length, Transfer-Encoding, Authorization, the WebSocket key) may not repeat; others are joined with
// ", " as HTTP allows.
struct HttpRequestHead {
    std::string method;
    std::string target;
    int minorVersion = 1;                       // HTTP/1.x
    std::map<std::string, std::string> headers; // names in lower case

    std::string header(const std::string& lowerName) const {
        const auto it = headers.find(lowerName);
        return it == headers.end() ? std::string() : it->second;
    }
    bool hasHeader(const std::string& lowerName) const { return headers.contains(lowerName); }
    // Whether a comma-separated header lists `token` (case-insensitive).
    bool headerHasToken(const std::string& lowerName, std::string_view token) const;
    // Asks for a WebSocket (Upgrade: websocket).
    bool wantsWebSocket() const { return headerHasToken("upgrade", "websocket"); }
    // HTTP/1.1 keeps the connection unless told to close; 1.0 closes unless told to keep it.
    bool keepAlive() const;
};

struct HttpHeadParse {
    enum class State { NeedMore, Complete, Invalid } state = State::NeedMore;
    std::optional<HttpRequestHead> head;
    std::size_t headBytes = 0; // length of the head including the blank line, when Complete
    int status = 400;          // the HTTP status to answer with when Invalid
    std::string error;
};

// Parses `bytes` (everything received so far for this request).
HttpHeadParse parseHttpRequestHead(std::string_view bytes, std::size_t maxBytes = kMaxRequestHeadBytes);

} // namespace breeze::protocol
