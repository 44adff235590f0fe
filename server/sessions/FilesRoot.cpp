#include "sessions/FilesRoot.h"

#include "devices/DeviceAccess.h"
#include "http/ApiError.h"
#include "http/RequestContext.h"
#include "sessions/SessionStore.h"

#include <algorithm>

namespace breeze::server {

using namespace permissions;

// "/srv//www/./x" -> "/srv/www/x"; ".." is refused, so a root can only be narrowed.
std::string normalisedFolder(const std::string& path, const char* field) {
    if (!path.starts_with('/'))
        throw ApiError::badRequest(std::string("\"") + field + "\" must be an absolute path");
    std::string out;
    std::size_t start = 1;
    while (start <= path.size()) {
        const auto end = std::min(path.find('/', start), path.size());
        const std::string part = path.substr(start, end - start);
        if (part == "..")
            throw ApiError::badRequest(std::string("\"") + field + "\" must not contain \"..\"");
        if (!part.empty() && part != ".")
            out += "/" + part;
        start = end + 1;
    }
    return out.empty() ? "/" : out;
}

bool withinFolder(const std::string& path, const std::string& base) {
    return base == "/" || path == base || path.starts_with(base + "/");
}

// The folder a file session keeps to: the one asked for when a role that grants file sessions on the device
// allows it, else the first such role's folder ("/" when one of them has none).
namespace {
// The folders of the caller's roles that hold `permission` on the device ("/" for a role without one).
std::vector<std::string> rootsOf(RequestContext& ctx, SessionStore& store, const DeviceRef& device,
                                 const Permission& permission) {
    std::vector<std::string> roleIds;
    for (const auto& grant : ctx.principal().grants) {
        if (!grant.permissions.contains(permission.key()))
            continue;
        const bool covers =
            !grant.orgId ||
            (*grant.orgId == device.orgId &&
             (!grant.siteIds || std::ranges::find(*grant.siteIds, device.siteId) != grant.siteIds->end()));
        if (covers)
            roleIds.push_back(grant.roleId);
    }
    auto roots = store.filesRoots(roleIds);
    for (auto& root : roots)
        root = root.empty() ? "/" : normalisedFolder(root);
    if (roots.empty())
        throw ApiError::forbidden("this needs the " + permission.key() + " permission on the device's site");
    return roots;
}
} // namespace

std::string grantedFilesRoot(RequestContext& ctx, SessionStore& store, const DeviceRef& device,
                             const std::optional<std::string>& asked) {
    const auto roots = rootsOf(ctx, store, device, RemoteFiles);
    if (!asked)
        return std::ranges::find(roots, "/") != roots.end() ? "/" : roots.front();
    std::string folder = normalisedFolder(*asked);
    if (std::ranges::none_of(roots, [&](const std::string& root) { return withinFolder(folder, root); }))
        throw ApiError::forbidden("file sessions of your roles on this device keep to other folders");
    return folder;
}

std::string uploadRootCovering(RequestContext& ctx, SessionStore& store, const DeviceRef& device,
                               const std::string& folder) {
    std::string best;
    for (const auto& root : rootsOf(ctx, store, device, RemoteFilesUpload))
        if (withinFolder(folder, root) && (best.empty() || root.size() < best.size()))
            best = root;
    if (best.empty())
        throw ApiError::forbidden("the roles that let you upload to this device keep to other folders");
    return best;
}

} // namespace breeze::server
