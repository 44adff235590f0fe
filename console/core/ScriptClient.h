#pragma once

#include "ApiClient.h"
#include "FleetScope.h"
#include "ScopedApi.h"
#include "Script.h"

#include <QDateTime>
#include <QJsonArray>
#include <QSet>
#include <QStringList>
#include <functional>

namespace breeze::console {

// Where a run goes: the devices listed, or every device of a site or a group.
struct RunTarget {
    QStringList deviceIds;
    QString siteId;
    QString groupId;
};

struct RunRequest {
    QVariantMap values; // by parameter name: text, or true/false for booleans
    int timeoutSeconds = 300;
    int version = 0; // 0: the current one
    RunTarget target;
};

// When a scheduled run happens: the first time (with the workstation's offset), then "once", "daily" or
// "weekly" at that time of day in `timezone` (an IANA name).
struct RunSchedule {
    QDateTime at;
    QString repeat = "once";
    QString timezone;
};

// What a script printed, whole (up to a cap), as bytes: the agent's text is decoded for showing only.
struct CommandOutput {
    QByteArray stdoutBytes;
    QByteArray stderrBytes;
    bool truncated = false; // the agent or the cap cut it short
};

// Narrows the execution history; empty fields mean any.
struct ExecutionFilter {
    QString scriptId;
    QString status;
    QString userId;
    QString deviceId;
    FleetScope scope;    // the organisation or site chosen in the tree (a group counts as its site)
    int withinHours = 0; // 0: any time
};

// The one place that knows the REST paths and JSON of the script library: scripts and their versions, runs,
// and the execution history.
class ScriptClient {
public:
    explicit ScriptClient(ApiClient& api) : m_api(api) {}

    using Items = std::function<void(const QJsonArray& items, const QString& error)>;
    template <typename T> using Answer = std::function<void(const T& value, const QString& error)>;

    void list(Items done);
    void script(const QString& id, Answer<Script> done);
    // Adds a new script (to `script.orgId`'s library) or saves a new version of a saved one, with a note.
    void save(const Script& script, const QString& note, Answer<Script> done);
    void remove(const QString& id, Answer<bool> done);

    void versions(const QString& id, Items done); // newest first
    void versionText(const QString& id, int version, Answer<QString> done);
    void restore(const QString& id, int version, Answer<Script> done); // as a new version

    // The server's answer: the run, its executions, and the devices it refused with the reason.
    void run(const QString& scriptId, const RunRequest& request, Answer<QJsonObject> done);
    void executions(const ExecutionFilter& filter, int limit, Items done);
    // The server keeps the request and makes the run at its time (the answer is the schedule).
    void schedule(const QString& scriptId, const RunRequest& request, const RunSchedule& when,
                  Answer<QJsonObject> done);
    void schedules(Items done); // the next to run first
    void removeSchedule(const QString& id, Answer<bool> done);
    // Everything an execution printed so far, page after page (at most `cap` bytes a stream).
    void output(const QString& commandId, const Answer<CommandOutput>& done,
                qsizetype cap = qsizetype{8} * 1024 * 1024);
    // The devices of the scope on which a script failed or timed out in the last `hours` (every page).
    void failedDevices(const FleetScope& scope, int hours, const Answer<QSet<QString>>& done);

private:
    ScopedApi m_api;
};

class FleetTreeModel;
class DeviceTableModel;
// Schedules as their table shows them: each with "target", where it runs in words ("Contoso / Berlin", "the
// group Kiosks", "web-01, db-01"), and "schedule_id" for acting on it.
QJsonArray schedulesWithTargets(const QJsonArray& schedules, const FleetTreeModel& tree,
                                const DeviceTableModel& devices);
QString scheduleId(const QJsonObject& schedule);

// What the execution history shows and sorts by.
QString executionCreatedAt(const QJsonObject& execution);

} // namespace breeze::console
