#pragma once

#include <QJsonArray>

namespace breeze::console {

// The Disks tab's filesystem rows: the inventory's filesystems (mount, device, type, size), each with how
// full the latest heartbeat says it is ("used_bytes", "free_bytes" and "used_percent", as df shows them). A
// mount only the heartbeat knows (mounted since the last inventory) still gets a row; one the heartbeat no
// longer reports keeps its row, without usage.
QJsonArray filesystemsWithUsage(const QJsonArray& inventory, const QJsonArray& usage);
// The share of the fullest of these filesystems (rows as filesystemsWithUsage gives them); -1 when none says.
double fullestUsedPercent(const QJsonArray& rows);

} // namespace breeze::console
