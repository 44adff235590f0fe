#include "protocol/HttpUpgradeRequest.h"

#include <vector>

namespace breeze::protocol {

namespace {
HttpUpgradeParse invalid(int status, std::string error) {
    HttpUpgradeParse result;
    result.state = HttpUpgradeParse::State::Invalid;
    result.status = status;
    result.error = std::move(error);
    return result;
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    return text;
}

bool isTokenChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool hasToken(const std::string& list, std::string_view token) {
    std::size_t start = 0;
    while (start <= list.size()) {
        const auto comma = list.find(',', start);
        const auto item = trim(std::string_view(list).substr(
            start, comma == std::string::npos ? std::string::npos : comma - start));
        if (lower(item) == token)
            return true;
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    return false;
}

bool isBase64Nonce(const std::string& key) {
    if (key.size() != 24 || key.substr(22) != "==")
        return false;
    for (std::size_t i = 0; i < 22; ++i) {
        const char c = key[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
              c == '/'))
            return false;
    }
    return true;
}
} // namespace

HttpUpgradeParse parseHttpUpgradeRequest(std::string_view bytes) {
    const auto end = bytes.find("\r\n\r\n");
    if (end == std::string_view::npos) {
        if (bytes.size() > kMaxUpgradeHeadBytes)
            return invalid(431, "request head too large");
        return {};
    }
    if (end + 4 > kMaxUpgradeHeadBytes)
        return invalid(431, "request head too large");
    const std::string_view head = bytes.substr(0, end);
    std::vector<std::string_view> lines;
    for (std::size_t start = 0;;) {
        const auto next = head.find("\r\n", start);
        lines.push_back(
            head.substr(start, next == std::string_view::npos ? std::string_view::npos : next - start));
        if (next == std::string_view::npos)
            break;
        start = next + 2;
    }
    if (lines.size() > 65)
        return invalid(431, "too many headers");
    const std::string_view requestLine = lines[0];
    const auto firstSpace = requestLine.find(' ');
    const auto lastSpace = requestLine.rfind(' ');
    if (firstSpace == std::string_view::npos || firstSpace == lastSpace)
        return invalid(400, "malformed request line");
    if (requestLine.substr(0, firstSpace) != "GET")
        return invalid(405, "only GET can upgrade to a WebSocket");
    if (requestLine.substr(lastSpace + 1) != "HTTP/1.1")
        return invalid(400, "HTTP/1.1 is required");
    HttpUpgradeRequest request;
    request.path = std::string(requestLine.substr(firstSpace + 1, lastSpace - firstSpace - 1));
    if (request.path.empty() || request.path[0] != '/' || request.path.size() > 2048)
        return invalid(400, "malformed request target");
    for (char c : request.path)
        if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7F)
            return invalid(400, "malformed request target");
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const std::string_view line = lines[i];
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0)
            return invalid(400, "malformed header line");
        for (char c : line.substr(0, colon))
            if (!isTokenChar(c))
                return invalid(400, "malformed header name");
        const auto value = trim(line.substr(colon + 1));
        for (char c : value)
            if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F)
                return invalid(400, "control characters in a header value");
        const std::string name = lower(line.substr(0, colon));
        if (request.headers.contains(name))
            return invalid(400, "header " + name + " repeated");
        request.headers.emplace(name, std::string(value));
    }
    if (!hasToken(request.header("upgrade"), "websocket") ||
        !hasToken(request.header("connection"), "upgrade"))
        return invalid(426, "this endpoint only speaks WebSocket");
    if (request.header("sec-websocket-version") != "13")
        return invalid(426, "WebSocket version 13 is required");
    request.webSocketKey = request.header("sec-websocket-key");
    if (!isBase64Nonce(request.webSocketKey))
        return invalid(400, "Sec-WebSocket-Key must be a base64 16-byte nonce");
    HttpUpgradeParse result;
    result.state = HttpUpgradeParse::State::Complete;
    result.request = std::move(request);
    result.headBytes = end + 4;
    return result;
}

} // namespace breeze::protocol
