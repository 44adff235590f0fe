#pragma once

#include <stdexcept>
#include <string>

namespace breeze::server {

// An error the client is told about: HTTP status, a stable machine-readable code and a sentence saying what
// is wrong. Thrown anywhere below a route and turned into {"error":{"code","message"}} in one place.
class ApiError : public std::runtime_error {
public:
    ApiError(int status, std::string code, const std::string& message, int retryAfterSeconds = 0)
        : std::runtime_error(message), m_status(status), m_code(std::move(code)),
          m_retryAfterSeconds(retryAfterSeconds) {}

    int status() const { return m_status; }
    const std::string& code() const { return m_code; }
    int retryAfterSeconds() const { return m_retryAfterSeconds; }

    static ApiError badRequest(const std::string& message) { return {400, "invalid_request", message}; }
    static ApiError unauthorized(std::string code, const std::string& message) {
        return {401, std::move(code), message};
    }
    static ApiError forbidden(const std::string& message) { return {403, "forbidden", message}; }
    static ApiError notFound(const std::string& what) { return {404, "not_found", what + " not found"}; }
    static ApiError conflict(const std::string& message) { return {409, "conflict", message}; }

private:
    int m_status;
    std::string m_code;
    int m_retryAfterSeconds;
};

} // namespace breeze::server
