#include "downloads/DownloadRoutes.h"

#include "http/ApiError.h"
#include "http/RequestContext.h"
#include "http/Router.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace breeze::server {

namespace {
bool isPlainFileName(const std::string& name) {
    if (name.empty() || name.size() > 128 || name[0] == '.')
        return false;
    for (char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '-' || c == '+' || c == '~'))
            return false;
    return true;
}

std::string contentTypeOf(const std::string& name) {
    if (name.ends_with(".deb"))
        return "application/vnd.debian.binary-package";
    if (name.ends_with(".rpm"))
        return "application/x-rpm";
    if (name.ends_with(".sha256") || name.ends_with(".txt"))
        return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

ApiResponse download(RequestContext& ctx) {
    const std::string name = ctx.pathParam("file");
    if (!isPlainFileName(name) || ctx.server.config.downloadsDir.empty())
        throw ApiError::notFound("download");
    const std::filesystem::path path = std::filesystem::path(ctx.server.config.downloadsDir) / name;
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error) ||
        std::filesystem::file_size(path, error) > (512u << 20))
        throw ApiError::notFound("download");
    std::ifstream in(path, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    ApiResponse response = ApiResponse::text(content.str(), contentTypeOf(name));
    response.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + "\"");
    return response;
}
} // namespace

void registerDownloadRoutes(Router& router) {
    router.add({"GET", "/downloads/{file}", "", RouteAccess::Public, download});
}

} // namespace breeze::server
