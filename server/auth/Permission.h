#pragma once

#include <string>

namespace breeze::server {

// A (resource, action) pair such as ("orgs", "update"); roles are sets of these.
struct Permission {
    const char* resource;
    const char* action;

    std::string key() const { return std::string(resource) + ":" + action; }
};

namespace permissions {
inline constexpr Permission PartnerRead{"partner", "read"};
inline constexpr Permission PartnerUpdate{"partner", "update"};
inline constexpr Permission OrgsRead{"orgs", "read"};
inline constexpr Permission OrgsCreate{"orgs", "create"};
inline constexpr Permission OrgsUpdate{"orgs", "update"};
inline constexpr Permission OrgsDelete{"orgs", "delete"};
inline constexpr Permission SitesRead{"sites", "read"};
inline constexpr Permission SitesCreate{"sites", "create"};
inline constexpr Permission SitesUpdate{"sites", "update"};
inline constexpr Permission SitesDelete{"sites", "delete"};
inline constexpr Permission GroupsRead{"groups", "read"};
inline constexpr Permission GroupsCreate{"groups", "create"};
inline constexpr Permission GroupsUpdate{"groups", "update"};
inline constexpr Permission GroupsDelete{"groups", "delete"};
inline constexpr Permission UsersRead{"users", "read"};
inline constexpr Permission UsersCreate{"users", "create"};
inline constexpr Permission UsersUpdate{"users", "update"};
inline constexpr Permission UsersDelete{"users", "delete"};
inline constexpr Permission RolesRead{"roles", "read"};
inline constexpr Permission RolesCreate{"roles", "create"};
inline constexpr Permission RolesDelete{"roles", "delete"};
inline constexpr Permission ApiKeysRead{"api_keys", "read"};
inline constexpr Permission ApiKeysCreate{"api_keys", "create"};
inline constexpr Permission ApiKeysDelete{"api_keys", "delete"};
inline constexpr Permission EnrollmentKeysRead{"enrollment_keys", "read"};
inline constexpr Permission EnrollmentKeysCreate{"enrollment_keys", "create"};
inline constexpr Permission EnrollmentKeysDelete{"enrollment_keys", "delete"};
inline constexpr Permission AuditRead{"audit", "read"};
inline constexpr Permission DevicesRead{"devices", "read"};
inline constexpr Permission DevicesUpdate{"devices", "update"};
inline constexpr Permission DevicesDelete{"devices", "delete"};
inline constexpr Permission CommandsRead{"commands", "read"};
inline constexpr Permission CommandsCreate{"commands", "create"};
inline constexpr Permission CommandsCancel{"commands", "cancel"};
inline constexpr Permission ScriptsRead{"scripts", "read"};
inline constexpr Permission ScriptsWrite{"scripts", "write"};
inline constexpr Permission ScriptsExecute{"scripts", "execute"};
inline constexpr Permission PatchesRead{"patches", "read"};
inline constexpr Permission PatchesApprove{"patches", "approve"};
inline constexpr Permission PatchesDeploy{"patches", "deploy"};
inline constexpr Permission RemoteTerminal{"remote", "terminal"};
inline constexpr Permission RemoteFiles{"remote", "files"}; // open a file session and browse
inline constexpr Permission RemoteFilesDownload{"remote", "files_download"};
inline constexpr Permission RemoteFilesUpload{"remote", "files_upload"}; // also new folders
inline constexpr Permission RemoteFilesDelete{"remote", "files_delete"}; // also renames
inline constexpr Permission RemoteDesktop{"remote", "desktop"};          // watch and control the screen
inline constexpr Permission RemoteDesktopView{"remote", "desktop_view"}; // watch it only
inline constexpr Permission SessionsRead{"sessions", "read"};
inline constexpr Permission SessionsRecordings{"sessions", "recordings"}; // watch other people's sessions
inline constexpr Permission AlertsRead{"alerts", "read"};
inline constexpr Permission AlertsAcknowledge{"alerts", "acknowledge"}; // also resolve by hand
inline constexpr Permission AlertsManage{"alerts", "manage"};           // rules, assignments and channels
} // namespace permissions

} // namespace breeze::server
