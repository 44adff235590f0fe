#include "TableColumns.h"

#include <QCoreApplication>

namespace breeze::console::TableColumns {

namespace {
QString tr(const char* text) {
    return QCoreApplication::translate("TableColumns", text);
}
} // namespace

Columns organisations() {
    return {{"name", tr("Name")},
            {"require_device_approval", tr("Approval required")},
            {"created_at", tr("Created")}};
}

Columns sites() {
    return {{"name", tr("Name")}, {"timezone", tr("Time zone")}, {"org_name", tr("Organisation")}};
}

Columns deviceGroups() {
    return {{"name", tr("Name")},
            {"site_name", tr("Site (empty: whole organisation)")},
            {"org_name", tr("Organisation")}};
}

Columns users() {
    return {{"email", tr("E-mail")},
            {"display_name", tr("Name")},
            {"mfa_enabled", tr("Two-factor")},
            {"disabled", tr("Disabled")},
            {"last_login_at", tr("Last sign-in")}};
}

Columns roles() {
    return {{"name", tr("Role")}, {"description", tr("Description")}, {"builtin", tr("Built in")}};
}

Columns apiKeys() {
    return {{"name", tr("Name")},     {"prefix", tr("Prefix")},      {"role", tr("Role")},
            {"status", tr("Status")}, {"expires_at", tr("Expires")}, {"last_used_at", tr("Last used")}};
}

Columns enrollmentKeys() {
    return {{"name", tr("Name")},         {"prefix", tr("Prefix")}, {"uses", tr("Uses")},
            {"max_uses", tr("Max uses")}, {"status", tr("Status")}, {"expires_at", tr("Expires")}};
}

Columns auditEvents() {
    return {{"at", tr("When")},       {"actor_label", tr("Who")},    {"address", tr("From")},
            {"action", tr("Action")}, {"resource_type", tr("Type")}, {"resource_name", tr("Resource")},
            {"result", tr("Result")}};
}

Columns disks() {
    return {{"name", tr("Disk")},
            {"model", tr("Model")},
            {"size_bytes", tr("Size")},
            {"rotational", tr("Rotational")},
            {"serial", tr("Serial")}};
}

Columns filesystems() {
    return {{"mount", tr("Mount point")}, {"used_percent", tr("Used")}, {"used_bytes", tr("Used space")},
            {"free_bytes", tr("Free")},   {"total_bytes", tr("Size")},  {"device", tr("Device")},
            {"fs_type", tr("Type")}};
}

Columns interfaces() {
    return {{"name", tr("Interface")},
            {"mac", tr("MAC")},
            {"addresses", tr("Addresses")},
            {"up", tr("Up")},
            {"mtu", tr("MTU")}};
}

Columns software() {
    return {{"name", tr("Package")},  {"version", tr("Version")}, {"arch", tr("Architecture")},
            {"source", tr("Source")}, {"size_bytes", tr("Size")}, {"publisher", tr("Publisher")}};
}

Columns services() {
    return {{"name", tr("Service")},
            {"state", tr("State")},
            {"sub_state", tr("Sub-state")},
            {"enabled", tr("Startup")},
            {"description", tr("Description")}};
}

Columns processes() {
    return {{"name", tr("Name")},
            {"pid", tr("PID")},
            {"user", tr("User")},
            {"cpu_percent", tr("CPU")},
            {"memory_percent", tr("Memory")},
            {"rss_bytes", tr("Resident")},
            {"cpu_seconds", tr("CPU time s")},
            {"state", tr("State")},
            {"command", tr("Command")}};
}

Columns localUsers() {
    return {{"name", tr("User")},
            {"uid", tr("UID")},
            {"home", tr("Home")},
            {"shell", tr("Shell")},
            {"login", tr("Can log in")}};
}

Columns commands() {
    return {{"created_at", tr("Created")}, {"type", tr("Command")},        {"script_name", tr("Script")},
            {"status", tr("Status")},      {"exit_code", tr("Exit code")}, {"requested_by", tr("By")},
            {"error", tr("Error")}};
}

Columns devicePatches() {
    return {{"name", tr("Package")},         {"installed_version", tr("Installed")},
            {"version", tr("Update")},       {"state", tr("State")},
            {"security", tr("Security")},    {"decision", tr("Decision")},
            {"last_error", tr("Last error")}};
}

Columns patchCatalog() {
    return {{"name", tr("Package")},
            {"version", tr("Version")},
            {"severity", tr("Severity")},
            {"security", tr("Security")},
            {"missing", tr("Missing")},
            {"failed", tr("Failed")},
            {"installed", tr("Installed")},
            {"applies", tr("Decision here")},
            {"decision", tr("Partner decision")},
            {"repository", tr("Repository")}};
}

Columns deployments() {
    return {{"created_at", tr("Created")},   {"scheduled_at", tr("Scheduled")},     {"state", tr("Status")},
            {"device_count", tr("Devices")}, {"progress", tr("Devices' progress")}, {"reboot", tr("Restart")},
            {"requested_by", tr("By")}};
}

Columns deploymentPreview() {
    return {{"device", tr("Device")},
            {"count", tr("Updates")},
            {"packages", tr("Installs")},
            {"window", tr("Maintenance window")},
            {"restart", tr("Restart")}};
}

Columns deploymentOutcome() {
    return {{"hostname", tr("Device")},
            {"name", tr("Package")},
            {"version", tr("Version")},
            {"status", tr("Status")},
            {"installed_version", tr("Now")}};
}

Columns patchPolicies() {
    return {{"name", tr("Policy")},
            {"window_days", tr("Days")},
            {"window_start", tr("Window")},
            {"window_minutes", tr("Minutes")},
            {"reboot", tr("Reboot")},
            {"auto_approve_security", tr("Security auto-approved")},
            {"assignments", tr("Assigned to")}};
}

Columns scriptLibrary() {
    return {{"name", tr("Name")}, {"language", tr("Language")}, {"version", tr("Version")}};
}

Columns scriptVersions() {
    return {{"version", tr("Version")},
            {"created_at", tr("Saved")},
            {"created_by", tr("By")},
            {"note", tr("Note")},
            {"content_bytes", tr("Bytes")}};
}

Columns scriptSchedules() {
    return {{"script_name", tr("Script")},      {"target", tr("Runs on")},
            {"repeat", tr("Repeat")},           {"next_run_at", tr("Next run")},
            {"timezone", tr("Time zone")},      {"last_run_at", tr("Last run")},
            {"last_error", tr("Last refusal")}, {"created_by", tr("By")}};
}

Columns scriptExecutions() {
    return {{"created_at", tr("Started")}, {"script_name", tr("Script")}, {"version", tr("Version")},
            {"hostname", tr("Device")},    {"status", tr("Status")},      {"exit_code", tr("Exit code")},
            {"requested_by", tr("By")},    {"error", tr("Note")}};
}

} // namespace breeze::console::TableColumns
