#include "downloads/DownloadRoutes.h"

#include "http/ApiError.h"
#include "http/RequestContext.h"
#include "http/Router.h"

#include <cstdio>
#include <filesystem>
#include <sys/stat.h>

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
    // Opened here and streamed by the front door, a chunk at a time as the client reads: a download costs
    // the same little memory whatever the file's size or the number of clients.
    std::shared_ptr<std::FILE> file(std::fopen(path.c_str(), "rbe"), [](std::FILE* f) {
        if (f)
            std::fclose(f);
    });
    struct stat info {};
    if (!file || ::fstat(::fileno(file.get()), &info) != 0 || !S_ISREG(info.st_mode))
        throw ApiError::notFound("download");
    ApiResponse response;
    response.contentType = contentTypeOf(name);
    response.file = std::move(file);
    response.fileSize = static_cast<std::uint64_t>(info.st_size);
    response.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + "\"");
    return response;
}
} // namespace

void registerDownloadRoutes(Router& router) {
    router.add({HttpMethod::Get, "/downloads/{file}", "", RouteAccess::Public, download});
}

} // namespace breeze::server
