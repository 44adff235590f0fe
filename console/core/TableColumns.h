#pragma once

#include "JsonTableModel.h"

namespace breeze::console {

// The columns of every table the console shows over REST rows: which field of a row goes under which title.
// Kept here, beside the clients that fetch the rows, so widgets never name a JSON field.
namespace TableColumns {
using Columns = QList<JsonTableModel::Column>;

// Administration
Columns organisations();
Columns sites();
Columns deviceGroups();
Columns users();
Columns roles();
Columns apiKeys();
Columns enrollmentKeys();
Columns auditEvents();

// A device's tabs
Columns disks();
Columns filesystems(); // with the heartbeat's usage, as filesystemsWithUsage gives the rows
Columns interfaces();
Columns software();
Columns services();
Columns processes();
Columns localUsers();
Columns commands();
Columns devicePatches();

// Patches
Columns patchCatalog();
Columns deployments();
Columns deploymentOutcome(); // as PatchClient::deploymentOutcome gives the rows
Columns deploymentPreview(); // as PatchClient::preview gives the rows
Columns patchPolicies();

// Scripts
Columns scriptLibrary();
Columns scriptVersions();
Columns scriptExecutions();
Columns scriptSchedules(); // as schedulesWithTargets gives the rows

// Where filesystems() shows the used share (a bar).
constexpr int kFilesystemUsedColumn = 1;
} // namespace TableColumns

} // namespace breeze::console
