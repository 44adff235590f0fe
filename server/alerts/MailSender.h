#pragma once

#include "alerts/DeliveryResult.h"
#include "alerts/DestinationPolicy.h"
#include "alerts/SmtpSettings.h"

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace breeze::server {

// Sends one plain-text mail through a partner's SMTP server: STARTTLS (refused when the server does not offer
// it) or TLS from the first byte, the certificate's chain and name verified, AUTH PLAIN only inside TLS, and
// plain SMTP only to a relay on this host. The address dialled is checked by the destination policy, as
// webhooks' are. Bounded in time.
class MailSender {
public:
    struct Mail {
        std::vector<std::string> to;
        std::string subject;
        std::string body;
        std::map<std::string, std::string> headers; // Message-ID, References, X-Breeze-…
    };

    MailSender(std::string caFile, DestinationPolicy policy, std::chrono::milliseconds timeout,
               std::string heloName);

    DeliveryResult send(const SmtpSettings& server, const Mail& mail) const;

private:
    std::string m_caFile;
    DestinationPolicy m_policy;
    std::chrono::milliseconds m_timeout;
    std::string m_heloName;
};

} // namespace breeze::server
