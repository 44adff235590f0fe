#pragma once

namespace breeze::server {

// What a deployment installs on a device `d`, over its device_patches rows `dp`: updates it lacks (or failed
// to install) that are approved for it, on an approved device that is not revoked. The deployer and the
// preview read this one condition, so a preview shows exactly what would be queued.
inline constexpr const char* kInstallableRows =
    "d.revoked_at IS NULL AND d.approval = 'approved' AND dp.state IN ('missing', 'failed') AND "
    "breeze_patch_decision(dp.patch_id, d.org_id, d.site_id, d.id, dp.first_seen_at) = 'approved'";

} // namespace breeze::server
