#include "DeviceCommands.h"

#include <QJsonDocument>

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
            command.value("error").toString(output.value("output").toString()),
            output.value("processes").toArray()};
}

QString commandText(const QJsonObject& command) {
    QString text = command.value("error").toString();
    const QJsonValue answer = command.value("output");
    if (answer.isObject())
        text += (text.isEmpty() ? "" : "\n\n") + QString::fromUtf8(QJsonDocument(answer.toObject()).toJson());
    return text;
}

QString serviceName(const QJsonObject& service) {
    return service.value("name").toString();
}

ProcessRow processOf(const QJsonObject& process) {
    return {process.value("pid").toInteger(), process.value("name").toString()};
}

} // namespace breeze::console
