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
// The folder a file session (or a push) on the device keeps to: the one asked for when a role that grants
// file sessions on the device allows it, else the first such role's folder ("/" when one of them has none).
// 403 when no role grants file sessions there or none allows the folder asked for.
std::string grantedFilesRoot(RequestContext& ctx, SessionStore& store, const DeviceRef& device,
                             const std::optional<std::string>& asked);
// The folder of a role that lets the caller upload on the device (remote:files_upload) and holds `folder`:
// a push's session is opened there and the file named beneath it, so no link inside leads out. 403 when none.
std::string uploadRootCovering(RequestContext& ctx, SessionStore& store, const DeviceRef& device,
                               const std::string& folder);

} // namespace breeze::server
