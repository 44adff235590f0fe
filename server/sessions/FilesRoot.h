#pragma once

#include <optional>
#include <string>

namespace breeze::server {

class RequestContext;
class SessionStore;
struct DeviceRef;

// "/srv//www/./x" -> "/srv/www/x". 400 naming `field` for a relative path or "..", so a root can only be
// narrowed, never left.
std::string normalisedFolder(const std::string& path, const char* field = "root");
// Whether `path` is `base` or inside it.
bool withinFolder(const std::string& path, const std::string& base);
// What a file session on the device may do, worked out per role: the folder asked for (else the widest a role
// allows, "/" for a role without one) and each right only from a role whose own folder holds it. 403 when no
// role grants file sessions there or none allows the folder asked for.
struct FilesGrant {
    std::string root;
    bool download = false, upload = false, remove = false;
};
FilesGrant grantedFiles(RequestContext& ctx, SessionStore& store, const DeviceRef& device,
                        const std::optional<std::string>& asked);
// The folder of a role that lets the caller upload on the device (remote:files_upload) and holds `folder`:
// a push's session is opened there and the file named beneath it, so no link inside leads out. 403 when none.
std::string uploadRootCovering(RequestContext& ctx, SessionStore& store, const DeviceRef& device,
                               const std::string& folder);

} // namespace breeze::server
