#include "FilesystemUsage.h"

#include <QHash>
#include <QJsonObject>
#include <algorithm>

namespace breeze::console {

QJsonArray filesystemsWithUsage(const QJsonArray& inventory, const QJsonArray& usage) {
    QHash<QString, QJsonObject> usageByMount;
    for (const auto& item : usage) {
        const QJsonObject fs = item.toObject();
        usageByMount.insert(fs.value("mount").toString(), fs);
    }
    QJsonArray rows;
    const auto withUsage = [](QJsonObject row, const QJsonObject& used) {
        const double total = used.value("total_bytes").toDouble();
        const double bytes = used.value("used_bytes").toDouble(-1);
        const double available = used.value("available_bytes").toDouble(-1);
        if (bytes >= 0) {
            row.insert("used_bytes", bytes);
            // As df: used ÷ (used + available), so root's reserve is not counted as room; agents that do not
            // report what is available are measured against the size.
            const double room = available >= 0 ? bytes + available : total;
            if (room > 0)
                row.insert("used_percent", 100.0 * bytes / room);
        }
        if (available >= 0)
            row.insert("free_bytes", available);
        if (!row.contains("total_bytes") && total > 0)
            row.insert("total_bytes", total);
        return row;
    };
    for (const auto& item : inventory) {
        QJsonObject row = item.toObject();
        const QString mount = row.value("mount").toString();
        rows.append(withUsage(row, usageByMount.take(mount)));
    }
    for (const auto& item : usage) { // in the heartbeat's order
        const QString mount = item.toObject().value("mount").toString();
        if (usageByMount.contains(mount))
            rows.append(
                withUsage(QJsonObject{{"mount", mount}, {"fs_type", item.toObject().value("fs_type")}},
                          usageByMount.take(mount)));
    }
    return rows;
}

double fullestUsedPercent(const QJsonArray& rows) {
    double fullest = -1;
    for (const auto& row : rows)
        fullest = std::max(fullest, row.toObject().value("used_percent").toDouble(-1));
    return fullest;
}

} // namespace breeze::console
