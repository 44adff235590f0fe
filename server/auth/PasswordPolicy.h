#pragma once

#include <string>

namespace breeze::server {

// What a new password must be: long enough (configurable minimum), at most 1024 bytes so hashing cannot be
// used to exhaust the server, and not the account's own e-mail address. Throws ApiError 400 with the reason.
void checkNewPassword(const std::string& password, const std::string& email, int minLength);

} // namespace breeze::server
