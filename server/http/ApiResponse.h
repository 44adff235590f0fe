#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace breeze::server {

// What a route answers: JSON by default; `rawBody` with its own content type for /metrics and the like; a
// file to stream for downloads.
struct ApiResponse {
    int status = 200;
    nlohmann::json body = nlohmann::json::object();
    std::string rawBody;
    std::string contentType = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
    // A body streamed from an open file instead (downloads): the front door reads it as the client takes it.
    std::shared_ptr<std::FILE> file;
    std::uint64_t fileSize = 0;

    static ApiResponse json(nlohmann::json body, int status = 200) {
        ApiResponse response;
        response.status = status;
        response.body = std::move(body);
        return response;
    }
    static ApiResponse noContent() {
        ApiResponse response;
        response.status = 204;
        return response;
    }
    static ApiResponse text(std::string body, std::string contentType, int status = 200) {
        ApiResponse response;
        response.status = status;
        response.rawBody = std::move(body);
        response.contentType = std::move(contentType);
        return response;
    }
};

} // namespace breeze::server
