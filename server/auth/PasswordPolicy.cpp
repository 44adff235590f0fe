#include "auth/PasswordPolicy.h"

#include "encoding/AsciiCase.h"
#include "http/ApiError.h"

namespace breeze::server {

void checkNewPassword(const std::string& password, const std::string& email, int minLength) {
    std::size_t characters = 0;
    for (unsigned char c : password)
        characters += (c & 0xC0) != 0x80;
    if (characters < static_cast<std::size_t>(minLength))
        throw ApiError::badRequest("the password must be at least " + std::to_string(minLength) +
                                   " characters long");
    if (password.size() > 1024)
        throw ApiError::badRequest("the password must be at most 1024 bytes long");
    if (encoding::lowerAscii(password) == encoding::lowerAscii(email))
        throw ApiError::badRequest("the password must not be the e-mail address");
}

} // namespace breeze::server
