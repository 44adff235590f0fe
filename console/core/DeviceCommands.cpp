#include "DeviceCommands.h"

#include "TimeText.h"

#include <QJsonDocument>
#include <QObject>

namespace breeze::console {

DeviceCommand DeviceCommand::serviceAction(const QString& service, const QString& action) {
    return {"service_action", {{"name", service}, {"action", action}}};
}

DeviceCommand DeviceCommand::listProcesses() {
    return {"list_processes", {}};
}

DeviceCommand DeviceCommand::endProcess(qint64 pid, bool kill) {
    return {"kill_process", {{"pid", pid}, {"signal", kill ? "KILL" : "TERM"}}};
}

DeviceCommand DeviceCommand::ping() {
    return {"ping", {}};
}

DeviceCommand DeviceCommand::collectInventory() {
    return {"collect_inventory", {}};
}

DeviceCommand DeviceCommand::restart(int delaySeconds) {
    return {"reboot", {{"delay_seconds", delaySeconds}}};
}

DeviceCommand DeviceCommand::shutDown(int delaySeconds) {
    return {"shutdown", {{"delay_seconds", delaySeconds}}};
}

DeviceChange DeviceChange::addTag(const QString& tag) {
    return {{{"add_tags", QJsonArray{tag}}}};
}

DeviceChange DeviceChange::removeTag(const QString& tag) {
    return {{{"remove_tags", QJsonArray{tag}}}};
}

DeviceChange DeviceChange::group(const QString& groupId) {
    return {{{"group_id", groupId.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(groupId)}}};
}

DeviceChange DeviceChange::site(const QString& siteId) {
    return {{{"site_id", siteId}}};
}

CommandOutcome CommandOutcome::fromJson(const QJsonObject& command) {
    const QJsonObject output = command.value("output").toObject();
    return {command.value("status").toString(),
            command.value("error").toString(output.value("output").toString()), output};
}

QString commandText(const QJsonObject& command) {
    if (command.isEmpty())
        return {};
    QStringList parts;
    QString head = command.value("type").toString();
    if (const QString script = command.value("script_name").toString(); !script.isEmpty())
        head += QObject::tr(" \"%1\" version %2")
                    .arg(script, QString::number(command.value("script_version").toInt()));
    head += " — " + command.value("status").toString();
    if (command.value("exit_code").isDouble())
        head += QObject::tr(", exit code %1").arg(command.value("exit_code").toInt());
    if (const qint64 roundTrip = pingRoundTripMs(command); roundTrip >= 0)
        head += QObject::tr(", round trip %1 ms").arg(roundTrip);
    parts << head;
    if (const QString error = command.value("error").toString(); !error.isEmpty())
        parts << error;
    const QJsonObject answer = command.value("output").toObject();
    QStringList fields;
    for (auto it = answer.begin(); it != answer.end(); ++it) {
        if (it.value().isString() && it.value().toString().contains('\n'))
            parts << it.key() + ":\n" + it.value().toString(); // printed text stays as printed
        else if (it.value().isObject() || it.value().isArray())
            fields << it.key() + ": " +
                          QString::fromUtf8((it.value().isObject() ? QJsonDocument(it.value().toObject())
                                                                   : QJsonDocument(it.value().toArray()))
                                                .toJson(QJsonDocument::Compact));
        else
            fields << it.key() + ": " + it.value().toVariant().toString();
    }
    if (!fields.isEmpty())
        parts << fields.join('\n');
    return parts.join("\n\n");
}

qint64 pingRoundTripMs(const QJsonObject& command) {
    const QDateTime sent = TimeText::parse(command.value("sent_at").toString());
    const QDateTime done = TimeText::parse(command.value("finished_at").toString());
    if (command.value("type").toString() != "ping" || !sent.isValid() || !done.isValid())
        return -1;
    return sent.msecsTo(done);
}

QString serviceName(const QJsonObject& service) {
    return service.value("name").toString();
}

ProcessRow processOf(const QJsonObject& process) {
    return {process.value("pid").toInteger(), process.value("name").toString(),
            process.value("ppid").toInteger()};
}

bool commandRunsScript(const QJsonObject& command) {
    return !command.value("script_id").toString().isEmpty();
}

bool commandEnded(const QJsonObject& command) {
    const QString status = command.value("status").toString();
    return status != "pending" && status != "sent" && status != "running";
}

bool isCommandEventFor(const QJsonObject& event, const QString& deviceId) {
    return event.value("device_id").toString() == deviceId && event.value("kind").toString() == "command";
}

} // namespace breeze::console
