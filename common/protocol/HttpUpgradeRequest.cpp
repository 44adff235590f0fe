#include "protocol/HttpUpgradeRequest.h"

namespace breeze::protocol {

namespace {
HttpUpgradeParse invalid(int status, std::string error) {
    HttpUpgradeParse result;
    result.state = HttpUpgradeParse::State::Invalid;
    result.status = status;
    result.error = std::move(error);
    return result;
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
    const auto parsed = parseHttpRequestHead(bytes, kMaxUpgradeHeadBytes);
    if (parsed.state == HttpHeadParse::State::NeedMore)
        return {};
    if (parsed.state == HttpHeadParse::State::Invalid)
        return invalid(parsed.status == 505 ? 400 : parsed.status, parsed.error);
    return checkUpgrade(*parsed.head, parsed.headBytes);
}

HttpUpgradeParse checkUpgrade(const HttpRequestHead& head, std::size_t headBytes) {
    if (head.method != "GET")
        return invalid(405, "only GET can upgrade to a WebSocket");
    if (head.minorVersion != 1)
        return invalid(400, "HTTP/1.1 is required");
    HttpUpgradeRequest request;
    request.path = head.target;
    if (request.path.size() > 2048)
        return invalid(400, "malformed request target");
    request.headers = head.headers;
    if (!head.headerHasToken("upgrade", "websocket") || !head.headerHasToken("connection", "upgrade"))
        return invalid(426, "this endpoint only speaks WebSocket");
    if (request.header("sec-websocket-version") != "13")
        return invalid(426, "WebSocket version 13 is required");
    request.webSocketKey = request.header("sec-websocket-key");
    if (!isBase64Nonce(request.webSocketKey))
        return invalid(400, "Sec-WebSocket-Key must be a base64 16-byte nonce");
    HttpUpgradeParse result;
    result.state = HttpUpgradeParse::State::Complete;
    result.request = std::move(request);
    result.headBytes = headBytes;
    return result;
}

} // namespace breeze::protocol
