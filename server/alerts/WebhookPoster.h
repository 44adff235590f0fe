#pragma once

#include "alerts/DeliveryResult.h"
#include "alerts/DestinationPolicy.h"
#include "net/TlsConnection.h"

#include <chrono>
#include <map>
#include <string>

namespace breeze::server {

// POSTs one JSON body to an https:// URL and reports the receiver's answer: the chain and name verified,
// the destination checked on the address actually dialled, the whole exchange bounded in time, redirects not
// followed, and only the status line and the first bytes of the answer read.
class WebhookPoster {
public:
    WebhookPoster(net::SslContextPtr tls, DestinationPolicy policy, std::chrono::milliseconds timeout);

    // "" when the URL can be used at all (https, a host, bounded length), else why not.
    static std::string urlProblem(const std::string& url);

    DeliveryResult post(const std::string& url, const std::string& body,
                        const std::map<std::string, std::string>& headers) const;

private:
    net::SslContextPtr m_tls;
    DestinationPolicy m_policy;
    std::chrono::milliseconds m_timeout;
};

} // namespace breeze::server
