#include "protocol/HttpRequestHead.h"

#include <array>
#include <vector>

namespace breeze::protocol {

namespace {
HttpHeadParse invalid(int status, std::string error) {
    HttpHeadParse result;
    result.state = HttpHeadParse::State::Invalid;
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

bool isToken(std::string_view text) {
    if (text.empty())
        return false;
    for (char c : text)
        if (!isTokenChar(c))
            return false;
    return true;
}

constexpr std::array<std::string_view, 6> kSingleHeaders{
    "host", "content-length", "transfer-encoding", "authorization", "sec-websocket-key", "content-type"};

bool isSingle(const std::string& name) {
    for (const auto single : kSingleHeaders)
        if (name == single)
            return true;
    return false;
}
} // namespace

bool HttpRequestHead::headerHasToken(const std::string& lowerName, std::string_view token) const {
    const std::string list = header(lowerName);
    std::size_t start = 0;
    while (start <= list.size()) {
        const auto comma = list.find(',', start);
        const auto item = trim(std::string_view(list).substr(
            start, comma == std::string::npos ? std::string::npos : comma - start));
        if (lower(item) == lower(token))
            return true;
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    return false;
}

bool HttpRequestHead::keepAlive() const {
    if (headerHasToken("connection", "close"))
        return false;
    return minorVersion >= 1 || headerHasToken("connection", "keep-alive");
}

HttpHeadParse parseHttpRequestHead(std::string_view bytes, std::size_t maxBytes) {
    const auto end = bytes.find("\r\n\r\n");
    if (end == std::string_view::npos) {
        if (bytes.size() > maxBytes)
            return invalid(431, "request head too large");
        return {};
    }
    if (end + 4 > maxBytes)
        return invalid(431, "request head too large");
    const std::string_view text = bytes.substr(0, end);
    std::vector<std::string_view> lines;
    for (std::size_t start = 0;;) {
        const auto next = text.find("\r\n", start);
        lines.push_back(
            text.substr(start, next == std::string_view::npos ? std::string_view::npos : next - start));
        if (next == std::string_view::npos)
            break;
        start = next + 2;
        if (lines.size() > kMaxRequestHeaders + 1)
            return invalid(431, "too many headers");
    }
    if (lines.size() > kMaxRequestHeaders + 1)
        return invalid(431, "too many headers");
    const std::string_view requestLine = lines[0];
    const auto firstSpace = requestLine.find(' ');
    const auto lastSpace = requestLine.rfind(' ');
    if (firstSpace == std::string_view::npos || firstSpace == lastSpace)
        return invalid(400, "malformed request line");
    HttpRequestHead head;
    const auto method = requestLine.substr(0, firstSpace);
    if (!isToken(method) || method.size() > 16)
        return invalid(400, "malformed request method");
    head.method = std::string(method);
    const auto version = requestLine.substr(lastSpace + 1);
    if (version == "HTTP/1.1")
        head.minorVersion = 1;
    else if (version == "HTTP/1.0")
        head.minorVersion = 0;
    else
        return invalid(505, "HTTP/1.1 or HTTP/1.0 is required");
    head.target = std::string(requestLine.substr(firstSpace + 1, lastSpace - firstSpace - 1));
    if (head.target.empty() || head.target[0] != '/' || head.target.size() > 4096)
        return invalid(400, "malformed request target");
    for (char c : head.target)
        if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7F)
            return invalid(400, "malformed request target");
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const std::string_view line = lines[i];
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0)
            return invalid(400, "malformed header line");
        if (!isToken(line.substr(0, colon)))
            return invalid(400, "malformed header name");
        const auto value = trim(line.substr(colon + 1));
        for (char c : value)
            if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F)
                return invalid(400, "control characters in a header value");
        const std::string name = lower(line.substr(0, colon));
        const auto [it, inserted] = head.headers.emplace(name, std::string(value));
        if (!inserted) {
            if (isSingle(name))
                return invalid(400, "header " + name + " repeated");
            it->second += ", " + std::string(value);
        }
    }
    if (head.minorVersion == 1 && !head.hasHeader("host"))
        return invalid(400, "HTTP/1.1 requires a Host header");
    HttpHeadParse result;
    result.state = HttpHeadParse::State::Complete;
    result.head = std::move(head);
    result.headBytes = end + 4;
    return result;
}

} // namespace breeze::protocol
