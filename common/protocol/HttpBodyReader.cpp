#include "protocol/HttpBodyReader.h"

#include <charconv>

namespace breeze::protocol {

namespace {
constexpr std::size_t kMaxChunkLine = 1024;
constexpr std::size_t kMaxTrailerBytes = 8192;

// Chunk lines and trailers carry text: a bare CR, LF or other control character there is something a lenient
// proxy might split differently.
bool hasControl(std::string_view line) {
    for (char c : line)
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F)
            return true;
    return false;
}
} // namespace

HttpBodyFraming HttpBodyReader::forHead(const HttpRequestHead& head, std::size_t limit) {
    HttpBodyFraming framing;
    const bool hasLength = head.hasHeader("content-length");
    const bool hasCoding = head.hasHeader("transfer-encoding");
    if (hasLength && hasCoding) {
        framing.status = 400;
        framing.error = "both Content-Length and Transfer-Encoding: a request must use one framing";
        return framing;
    }
    if (hasCoding) {
        std::string coding = head.header("transfer-encoding");
        for (char& c : coding)
            if (c >= 'A' && c <= 'Z')
                c = static_cast<char>(c - 'A' + 'a');
        if (coding != "chunked") {
            framing.status = 501;
            framing.error = "only the chunked transfer coding is supported";
            return framing;
        }
        framing.reader = HttpBodyReader(true, 0, limit);
        return framing;
    }
    if (!hasLength)
        return framing;
    const std::string value = head.header("content-length");
    std::uint64_t length = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), length);
    if (value.empty() || ec != std::errc() || end != value.data() + value.size() || value.size() > 19) {
        framing.status = 400;
        framing.error = "Content-Length must be a whole number";
        return framing;
    }
    if (length > limit) {
        framing.status = 413;
        framing.error = "the request body is larger than " + std::to_string(limit) + " bytes";
        return framing;
    }
    framing.reader = HttpBodyReader(false, length, limit);
    if (length == 0)
        framing.reader->m_state = State::Complete;
    return framing;
}

void HttpBodyReader::limitTo(std::size_t limit) {
    if (limit >= m_limit || m_state != State::NeedMore)
        return;
    m_limit = limit;
    if ((!m_chunked && m_remaining > m_limit) || m_body.size() > m_limit)
        fail(State::TooLarge, "the request body is larger than " + std::to_string(m_limit) + " bytes");
}

HttpBodyReader::State HttpBodyReader::fail(State state, std::string error) {
    m_state = state;
    m_error = std::move(error);
    m_body.clear();
    return m_state;
}

HttpBodyReader::State HttpBodyReader::feed(std::string& input) {
    if (m_state != State::NeedMore)
        return m_state;
    if (m_chunked)
        return feedChunked(input);
    const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(m_remaining, input.size()));
    m_body.append(input, 0, take);
    input.erase(0, take);
    m_remaining -= take;
    if (m_remaining == 0)
        m_state = State::Complete;
    return m_state;
}

HttpBodyReader::State HttpBodyReader::feedChunked(std::string& input) {
    for (;;) {
        switch (m_phase) {
        case ChunkPhase::Size: {
            const auto lineEnd = input.find("\r\n");
            if (lineEnd == std::string::npos) {
                if (input.size() > kMaxChunkLine)
                    return fail(State::Invalid, "chunk size line too long");
                return m_state;
            }
            if (lineEnd > kMaxChunkLine)
                return fail(State::Invalid, "chunk size line too long");
            // Extensions after ';' are allowed and ignored.
            const std::string_view line(input.data(), lineEnd);
            if (hasControl(line))
                return fail(State::Invalid, "control characters in a chunk line");
            const auto semicolon = line.find(';');
            const auto digits = line.substr(0, semicolon);
            std::uint64_t size = 0;
            const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), size, 16);
            if (digits.empty() || digits.size() > 15 || ec != std::errc() ||
                end != digits.data() + digits.size())
                return fail(State::Invalid, "malformed chunk size");
            input.erase(0, lineEnd + 2);
            if (size > m_limit - m_body.size())
                return fail(State::TooLarge,
                            "the request body is larger than " + std::to_string(m_limit) + " bytes");
            m_remaining = size;
            m_phase = size == 0 ? ChunkPhase::Trailers : ChunkPhase::Data;
            break;
        }
        case ChunkPhase::Data: {
            const std::size_t take =
                static_cast<std::size_t>(std::min<std::uint64_t>(m_remaining, input.size()));
            m_body.append(input, 0, take);
            input.erase(0, take);
            m_remaining -= take;
            if (m_remaining > 0)
                return m_state;
            m_phase = ChunkPhase::DataEnd;
            break;
        }
        case ChunkPhase::DataEnd:
            if (input.size() < 2)
                return m_state;
            if (input.compare(0, 2, "\r\n") != 0)
                return fail(State::Invalid, "chunk not followed by CRLF");
            input.erase(0, 2);
            m_phase = ChunkPhase::Size;
            break;
        case ChunkPhase::Trailers: {
            // Trailer lines are read and dropped, up to the blank line that ends the body.
            const auto lineEnd = input.find("\r\n");
            if (lineEnd == std::string::npos) {
                if (m_trailerBytes + input.size() > kMaxTrailerBytes)
                    return fail(State::Invalid, "trailers too large");
                return m_state;
            }
            m_trailerBytes += lineEnd + 2;
            if (m_trailerBytes > kMaxTrailerBytes)
                return fail(State::Invalid, "trailers too large");
            if (hasControl(std::string_view(input.data(), lineEnd)))
                return fail(State::Invalid, "control characters in a trailer");
            input.erase(0, lineEnd + 2);
            if (lineEnd == 0) {
                m_state = State::Complete;
                return m_state;
            }
            break;
        }
        }
    }
}

} // namespace breeze::protocol
