#include "alerts/DestinationPolicy.h"

#include <arpa/inet.h>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>

namespace breeze::server {

namespace {
enum class Kind { Public, Loopback, Private, Forbidden };

Kind classifyV4(std::uint32_t address) {
    const auto in = [address](std::uint32_t network, int bits) {
        const std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
        return (address & mask) == network;
    };
    if (in(0x7f000000, 8))
        return Kind::Loopback;
    if (in(0x00000000, 8) || in(0xa9fe0000, 16) || in(0xe0000000, 4) || address == 0xffffffff ||
        in(0xf0000000, 4))
        return Kind::Forbidden;
    if (in(0x0a000000, 8) || in(0xac100000, 12) || in(0xc0a80000, 16) || in(0x64400000, 10))
        return Kind::Private;
    return Kind::Public;
}

Kind classify(const ::sockaddr* address) {
    if (address->sa_family == AF_INET) {
        sockaddr_in v4{};
        std::memcpy(&v4, address, sizeof v4);
        return classifyV4(ntohl(v4.sin_addr.s_addr));
    }
    if (address->sa_family != AF_INET6)
        return Kind::Forbidden;
    sockaddr_in6 v6{};
    std::memcpy(&v6, address, sizeof v6);
    const auto& bytes = v6.sin6_addr.s6_addr;
    if (IN6_IS_ADDR_V4MAPPED(&v6.sin6_addr)) {
        const std::uint32_t v4 = (std::uint32_t{bytes[12]} << 24) | (std::uint32_t{bytes[13]} << 16) |
                                 (std::uint32_t{bytes[14]} << 8) | bytes[15];
        return classifyV4(v4);
    }
    if (IN6_IS_ADDR_LOOPBACK(&v6.sin6_addr))
        return Kind::Loopback;
    if (IN6_IS_ADDR_UNSPECIFIED(&v6.sin6_addr) || IN6_IS_ADDR_LINKLOCAL(&v6.sin6_addr) ||
        IN6_IS_ADDR_MULTICAST(&v6.sin6_addr) || IN6_IS_ADDR_SITELOCAL(&v6.sin6_addr))
        return Kind::Forbidden;
    if ((bytes[0] & 0xfe) == 0xfc) // unique local, fc00::/7
        return Kind::Private;
    return Kind::Public;
}
} // namespace

std::string DestinationPolicy::refusal(const ::sockaddr* address) const {
    switch (classify(address)) {
    case Kind::Public:
        return "";
    case Kind::Loopback:
        return allowLoopback ? ""
                             : "the address is on this host (loopback), which notifications may not reach";
    case Kind::Private:
        return allowPrivate ? "" : "the address is in a private network, which notifications may not reach";
    case Kind::Forbidden:
        return "the address is link-local, multicast or unspecified, which notifications never reach";
    }
    return "the address cannot be used";
}

} // namespace breeze::server
