#include "ScriptValueCheck.h"

#include "protocol/MessageFields.h"
#include "protocol/ScriptParameters.h"

#include <QJsonDocument>

namespace breeze::console {

QString checkScriptValues(const QJsonArray& parameters, const QJsonObject& values) {
    try {
        const auto definitions = protocol::parseScriptParameters(
            nlohmann::json::parse(QJsonDocument(parameters).toJson(QJsonDocument::Compact).toStdString()));
        protocol::resolveScriptParameters(
            definitions,
            nlohmann::json::parse(QJsonDocument(values).toJson(QJsonDocument::Compact).toStdString()));
        return {};
    } catch (const protocol::MessageError& error) {
        return QString::fromStdString(error.what());
    }
}

} // namespace breeze::console
