#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

namespace breeze::console {

// A built-in command for one device, as CommandRunner sends it.
struct DeviceCommand {
    QString type;
    QJsonObject args;

    static DeviceCommand serviceAction(const QString& service, const QString& action); // start, stop, restart
    static DeviceCommand listProcesses();
    static DeviceCommand endProcess(qint64 pid, bool kill); // kill: SIGKILL rather than SIGTERM
    static DeviceCommand ping();
    static DeviceCommand collectInventory();
    static DeviceCommand restart(int delaySeconds); // users are warned
    static DeviceCommand shutDown(int delaySeconds);
};

// A change to devices' records (as BulkDeviceUpdate sends it): a tag added or removed, a device group (or
// none), a site.
struct DeviceChange {
    QJsonObject body;

    static DeviceChange addTag(const QString& tag);
    static DeviceChange removeTag(const QString& tag);
    static DeviceChange group(const QString& groupId); // empty: out of any group
    static DeviceChange site(const QString& siteId);
};

// How a command ended, as its window reports it.
struct CommandOutcome {
    QString status;
    QString message;    // the error, or what the command printed
    QJsonObject output; // the whole answer (list_processes: its rows and the machine's size)

    static CommandOutcome fromJson(const QJsonObject& command);
    bool completed() const { return status == "completed"; }
};

// A command of the history as text to read: what it was and how it ended (with the round trip of a ping), its
// error, then its answer: text the agent printed as it printed it, other fields one per line.
QString commandText(const QJsonObject& command);
// Whether a history row ran a library script (its printed output is fetched apart).
bool commandRunsScript(const QJsonObject& command);
// Whether a history row's command has ended (completed, failed, timed out or cancelled).
bool commandEnded(const QJsonObject& command);
// Whether a live-channel event says that a command of this device moved on.
bool isCommandEventFor(const QJsonObject& event, const QString& deviceId);
// How long a ping took from the server sending it to the answer; -1 when it has not been answered.
qint64 pingRoundTripMs(const QJsonObject& command);

// Rows of the device tables that the view acts on.
QString serviceName(const QJsonObject& service);
struct ProcessRow {
    qint64 pid = 0;
    QString name;
    qint64 parentPid = 0;
};
ProcessRow processOf(const QJsonObject& process);

} // namespace breeze::console
