// The upgrade request head, the first bytes an unauthenticated peer sends the gateway.
#include "protocol/HttpUpgradeRequest.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace breeze::protocol;
    const auto parsed = parseHttpUpgradeRequest(std::string_view(reinterpret_cast<const char*>(data), size));
    switch (parsed.state) {
    case HttpUpgradeParse::State::NeedMore:
        if (size > kMaxUpgradeHeadBytes)
            std::abort(); // an endless head must be refused, not waited for
        break;
    case HttpUpgradeParse::State::Invalid:
        if (parsed.error.empty() || parsed.status < 400 || parsed.status > 499)
            std::abort();
        break;
    case HttpUpgradeParse::State::Complete:
        if (!parsed.request || parsed.headBytes > size || parsed.headBytes > kMaxUpgradeHeadBytes ||
            parsed.request->path.empty() || parsed.request->path[0] != '/' ||
            parsed.request->webSocketKey.size() != 24)
            std::abort();
        break;
    }
    return 0;
}
