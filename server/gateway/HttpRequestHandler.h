#pragma once

#include "protocol/HttpRequestHead.h"

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace breeze::server {

// What the front door writes back for one request: the status, every header but the framing ones (the door
// adds Content-Length and Connection), and a body held in memory or streamed from an open file.
struct HttpAnswer {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    // When set, the body is this file's first fileSize bytes, read as the client takes them: memory stays
    // flat however large the file or however many clients.
    std::shared_ptr<std::FILE> file;
    std::uint64_t fileSize = 0;
    bool close = false; // end the connection after this answer

    std::uint64_t contentLength() const { return file ? fileSize : body.size(); }
    // The status line and headers, with the framing headers for this answer.
    std::string head(bool keepAlive) const;
};

// One request on its way through the front door. The event loop reads; a worker runs begin() and, once the
// loop has read the body, finish(). Used by one thread at a time.
class HttpExchange {
public:
    virtual ~HttpExchange() = default;
    // Routes and authenticates. An answer when the request is settled here (refused, or it has no body and
    // has been handled); nothing when its body should now be read.
    virtual std::optional<HttpAnswer> begin(bool hasBody) = 0;
    // After begin() asked for the body: the most this request may send (small for strangers on public
    // routes).
    virtual std::size_t bodyLimit() const = 0;
    virtual HttpAnswer finish(std::string body) = 0;
    // The door refuses the request after begin() (a body too large or malformed, a deadline missed).
    virtual HttpAnswer fail(int status, const std::string& code, const std::string& message) = 0;
};

// What the front door asks of the REST side.
class HttpRequestHandler {
public:
    virtual ~HttpRequestHandler() = default;
    virtual std::unique_ptr<HttpExchange> open(protocol::HttpRequestHead head,
                                               const std::string& peerAddress) = 0;
    // A refusal before any exchange exists (a malformed head, the server too busy), logged and counted
    // like any answer.
    virtual HttpAnswer reject(const std::string& peerAddress, int status, const std::string& code,
                              const std::string& message) = 0;
};

} // namespace breeze::server
