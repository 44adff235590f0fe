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
};

// How a command ended, as its window reports it.
struct CommandOutcome {
    QString status;
    QString message;      // the error, or what the command printed
    QJsonArray processes; // list_processes: the rows for the Processes table

    static CommandOutcome fromJson(const QJsonObject& command);
    bool completed() const { return status == "completed"; }
};

// A command of the history as text: its error, then its answer (as the agent sent it, pretty-printed).
QString commandText(const QJsonObject& command);

// Rows of the device tables that the view acts on.
QString serviceName(const QJsonObject& service);
struct ProcessRow {
    qint64 pid = 0;
    QString name;
};
ProcessRow processOf(const QJsonObject& process);

} // namespace breeze::console
