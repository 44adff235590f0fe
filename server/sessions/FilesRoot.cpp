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

namespace {
// A role of the caller's that holds `permission` on the device, with its folder and its file rights.
struct RoleFolder {
    std::string root;
    bool download = false, upload = false, remove = false;
};

std::vector<RoleFolder> rolesOf(RequestContext& ctx, SessionStore& store, const DeviceRef& device,
                                const Permission& permission) {
    std::vector<std::string> roleIds;
    std::vector<const Grant*> grants;
    for (const auto& grant : ctx.principal().grants) {
        if (!grant.permissions.contains(permission.key()))
            continue;
        const bool covers =
            !grant.orgId ||
            (*grant.orgId == device.orgId &&
             (!grant.siteIds || std::ranges::find(*grant.siteIds, device.siteId) != grant.siteIds->end()));
        if (covers) {
            roleIds.push_back(grant.roleId);
            grants.push_back(&grant);
        }
    }
    const auto roots = store.filesRootsByRole(roleIds);
    std::vector<RoleFolder> roles;
    for (const Grant* grant : grants) {
        const auto it = roots.find(grant->roleId);
        RoleFolder role;
        role.root = it == roots.end() || it->second.empty() ? "/" : normalisedFolder(it->second);
        role.download = grant->permissions.contains(RemoteFilesDownload.key());
        role.upload = grant->permissions.contains(RemoteFilesUpload.key());
        role.remove = grant->permissions.contains(RemoteFilesDelete.key());
        roles.push_back(std::move(role));
    }
    if (roles.empty())
        throw ApiError::forbidden("this needs the " + permission.key() + " permission on the device's site");
    return roles;
}
} // namespace

FilesGrant grantedFiles(RequestContext& ctx, SessionStore& store, const DeviceRef& device,
                        const std::optional<std::string>& asked) {
    const auto roles = rolesOf(ctx, store, device, RemoteFiles);
    FilesGrant grant;
    if (asked) {
        grant.root = normalisedFolder(*asked);
    } else {
        // The widest folder any of them allows ("/" when one has none).
        grant.root = roles.front().root;
        for (const auto& role : roles)
            if (withinFolder(grant.root, role.root))
                grant.root = role.root;
    }
    // Each right from a role whose own folder holds the session's: a role's rights count only inside its
    // folder.
    bool allowed = false;
    for (const auto& role : roles) {
        if (!withinFolder(grant.root, role.root))
            continue;
        allowed = true;
        grant.download = grant.download || role.download;
        grant.upload = grant.upload || role.upload;
        grant.remove = grant.remove || role.remove;
    }
    if (!allowed)
        throw ApiError::forbidden("file sessions of your roles on this device keep to other folders");
    return grant;
}

std::string uploadRootCovering(RequestContext& ctx, SessionStore& store, const DeviceRef& device,
                               const std::string& folder) {
    std::string best;
    for (const auto& role : rolesOf(ctx, store, device, RemoteFilesUpload))
        if (withinFolder(folder, role.root) && (best.empty() || role.root.size() < best.size()))
            best = role.root;
    if (best.empty())
        throw ApiError::forbidden("the roles that let you upload to this device keep to other folders");
    return best;
}

} // namespace breeze::server
