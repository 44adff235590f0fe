#include "http/ClientAddress.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cstring>

namespace breeze::server {

namespace {
bool isIpAddress(const std::string& text) {
    unsigned char buffer[sizeof(in6_addr)];
    return inet_pton(AF_INET, text.c_str(), buffer) == 1 || inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

std::string trimmed(const std::string& text) {
    const auto first = text.find_first_not_of(" \t");
    const auto last = text.find_last_not_of(" \t");
    return first == std::string::npos ? std::string() : text.substr(first, last - first + 1);
}
} // namespace

std::string addressBucket(const std::string& address) {
    in6_addr v6{};
    if (address.find(':') == std::string::npos || inet_pton(AF_INET6, address.c_str(), &v6) != 1)
        return address;
    std::memset(v6.s6_addr + 8, 0, 8);
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(AF_INET6, &v6, text, sizeof text);
    return std::string(text) + "/64";
}

std::string clientAddress(const std::string& peer, const std::string& forwardedFor,
                          const std::vector<std::string>& trustedProxies) {
    const auto trusted = [&](const std::string& address) {
        return std::find(trustedProxies.begin(), trustedProxies.end(), address) != trustedProxies.end();
    };
    if (forwardedFor.empty() || !trusted(peer))
        return peer;
    std::string address = peer;
    std::size_t end = forwardedFor.size();
    while (end > 0) {
        const std::size_t comma = forwardedFor.rfind(',', end - 1);
        const std::size_t start = comma == std::string::npos ? 0 : comma + 1;
        const std::string entry = trimmed(forwardedFor.substr(start, end - start));
        if (!isIpAddress(entry))
            break;
        address = entry;
        if (!trusted(entry))
            break;
        if (comma == std::string::npos)
            break;
        end = comma;
    }
    return address;
}

} // namespace breeze::server
