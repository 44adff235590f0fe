#pragma once

#include <optional>
#include <string>

namespace breeze::server {

// A partner's SMTP server, as notifications use it.
struct SmtpSettings {
    std::string host;
    int port = 587;
    std::string security = "starttls"; // starttls, tls or plain
    std::string username;              // empty: no authentication
    std::string password;              // opened from its seal when sending; never shown
    std::string from;

    // "" when an address is usable in a header (one mailbox, no display name, no folding), else why not.
    static std::string addressProblem(const std::string& address);
};

} // namespace breeze::server
