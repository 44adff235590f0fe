#pragma once

#include "protocol/HttpRequestHead.h"

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace breeze::protocol {

inline constexpr std::size_t kMaxUpgradeHeadBytes = 8192;

// The request head of a WebSocket upgrade, read by the gateway before anything else from an unauthenticated
// peer. Strict: GET, HTTP/1.1, at most 64 headers within kMaxUpgradeHeadBytes, no obsolete line folding,
// the RFC 6455 headers present and well formed.
struct HttpUpgradeRequest {
    std::string path;
    std::map<std::string, std::string> headers; // names in lower case
    std::string webSocketKey;

    std::string header(const std::string& lowerName) const {
        const auto it = headers.find(lowerName);
        return it == headers.end() ? std::string() : it->second;
    }
};

struct HttpUpgradeParse {
    enum class State { NeedMore, Complete, Invalid } state = State::NeedMore;
    std::optional<HttpUpgradeRequest> request;
    std::size_t headBytes = 0; // length of the head including the blank line, when Complete
    int status = 400;          // the HTTP status to answer with when Invalid
    std::string error;
};

// Parses `bytes` (everything received so far).
HttpUpgradeParse parseHttpUpgradeRequest(std::string_view bytes);
// The WebSocket checks on a head already parsed (the front door reads every request head the same way).
HttpUpgradeParse checkUpgrade(const HttpRequestHead& head, std::size_t headBytes);

} // namespace breeze::protocol
