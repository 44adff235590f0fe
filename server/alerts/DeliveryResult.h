#pragma once

#include <string>

namespace breeze::server {

// How one attempt to hand a notification to its receiver went.
struct DeliveryResult {
    bool delivered = false; // the receiver took it (a 2xx answer, a 250 to the mail's end)
    int status = 0;         // the receiver's status code; 0 when it never answered
    std::string detail;     // the error, or the receiver's answer
};

} // namespace breeze::server
