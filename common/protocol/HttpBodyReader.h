#pragma once

#include "protocol/HttpRequestHead.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace breeze::protocol {

struct HttpBodyFraming;

// Reads a request body as it arrives, framed by Content-Length or chunked transfer coding, never holding more
// than `limit` body bytes. Refuses what would let two parties disagree on where a request ends (both framings
// at once, a coding other than chunked, a malformed or oversized chunk line) so nothing can be smuggled
// behind a body.
class HttpBodyReader {
public:
    enum class State { NeedMore, Complete, TooLarge, Invalid };

    // How the head frames its body. Without Content-Length or chunks a request has no body (RFC 9112 §6.3).
    static HttpBodyFraming forHead(const HttpRequestHead& head, std::size_t limit);

    // Lowers the limit once the route is known (a public route takes small bodies); an announced length over
    // it is refused at once.
    void limitTo(std::size_t limit);
    // Consumes body bytes from the front of `input`; what follows the body stays there (a pipelined request).
    State feed(std::string& input);
    State state() const { return m_state; }
    const std::string& error() const { return m_error; }
    std::string takeBody() { return std::move(m_body); }
    // Announced by Content-Length; unknown for chunks.
    std::optional<std::uint64_t> announcedLength() const {
        return m_chunked ? std::nullopt : std::optional<std::uint64_t>(m_remaining);
    }

private:
    HttpBodyReader(bool chunked, std::uint64_t length, std::size_t limit)
        : m_chunked(chunked), m_remaining(length), m_limit(limit) {}
    State fail(State state, std::string error);
    State feedChunked(std::string& input);

    enum class ChunkPhase { Size, Data, DataEnd, Trailers };
    bool m_chunked;
    std::uint64_t m_remaining; // of the whole body (Content-Length) or of the current chunk
    std::size_t m_limit;
    ChunkPhase m_phase = ChunkPhase::Size;
    std::size_t m_trailerBytes = 0;
    State m_state = State::NeedMore;
    std::string m_body;
    std::string m_error;
};

struct HttpBodyFraming {
    std::optional<HttpBodyReader> reader; // none: the request has no body
    int status = 0;                       // when neither: the refusal
    std::string error;
};

} // namespace breeze::protocol
