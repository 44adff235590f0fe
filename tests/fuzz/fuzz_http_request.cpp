// Everything a peer of the front door sends before a handler sees it: a request head, then a body framed by
// Content-Length or chunks, possibly followed by a pipelined request. The input is split at a point it
// chooses, to feed the body reader in two pieces as a socket would.
#include "protocol/HttpBodyReader.h"
#include "protocol/HttpRequestHead.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace breeze::protocol;
    if (size < 1)
        return 0;
    const std::size_t split = data[0];
    const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
    const auto parsed = parseHttpRequestHead(bytes);
    switch (parsed.state) {
    case HttpHeadParse::State::NeedMore:
        if (bytes.size() > kMaxRequestHeadBytes)
            std::abort(); // an endless head must be refused, not waited for
        return 0;
    case HttpHeadParse::State::Invalid:
        if (parsed.error.empty() || parsed.status < 400 || parsed.status > 505)
            std::abort();
        return 0;
    case HttpHeadParse::State::Complete:
        break;
    }
    const auto& head = *parsed.head;
    if (parsed.headBytes > bytes.size() || head.method.empty() || head.target.empty() ||
        head.target[0] != '/' || head.headers.size() > kMaxRequestHeaders)
        std::abort();
    constexpr std::size_t kLimit = 4096;
    auto framing = HttpBodyReader::forHead(head, kLimit);
    if (!framing.reader) {
        if (framing.status != 0 && framing.error.empty())
            std::abort();
        return 0;
    }
    auto& reader = *framing.reader;
    std::string rest(bytes.substr(parsed.headBytes));
    const std::size_t cut = std::min(split * 16, rest.size());
    std::string input = rest.substr(0, cut);
    auto state = reader.feed(input);
    std::string leftover = input;
    if (state == HttpBodyReader::State::NeedMore) {
        input = leftover + rest.substr(cut);
        state = reader.feed(input);
        leftover = input;
    } else {
        leftover += rest.substr(cut);
    }
    switch (state) {
    case HttpBodyReader::State::Complete: {
        const std::string body = reader.takeBody();
        if (body.size() > kLimit)
            std::abort();
        // Whatever follows the body is kept for the next request, never swallowed or invented.
        if (leftover.size() > rest.size())
            std::abort();
        break;
    }
    case HttpBodyReader::State::TooLarge:
    case HttpBodyReader::State::Invalid:
        if (reader.error().empty())
            std::abort();
        break;
    case HttpBodyReader::State::NeedMore:
        break;
    }
    return 0;
}
