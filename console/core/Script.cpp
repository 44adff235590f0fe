#include "Script.h"

#include "ScriptValueCheck.h"

namespace breeze::console {

QList<ScriptParameter> Script::parameters() const {
    QList<ScriptParameter> list;
    for (const auto& value : definitions) {
        const QJsonObject parameter = value.toObject();
        ScriptParameter entry{parameter.value("name").toString(),
                              parameter.value("label").toString(),
                              parameter.value("type").toString(),
                              parameter.value("description").toString(),
                              parameter.value("default").toString(),
                              parameter.value("required").toBool(),
                              {}};
        for (const auto& choice : parameter.value("choices").toArray())
            entry.choices << choice.toString();
        list << entry;
    }
    return list;
}

Script Script::fromRecord(const QJsonObject& record) {
    Script script;
    script.id = record.value("id").toString();
    script.orgId = record.value("org_id").toString();
    script.name = record.value("name").toString();
    script.language = record.value("language").toString("bash");
    script.category = record.value("category").toString();
    script.description = record.value("description").toString();
    script.runAs = record.value("run_as").toString();
    script.content = record.value("content").toString();
    script.timeoutSeconds = record.value("timeout_seconds").toInt(300);
    script.version = record.value("version").toInt();
    if (record.contains("os")) {
        script.os.clear();
        for (const auto& os : record.value("os").toArray())
            script.os << os.toString();
    }
    script.definitions = record.value("parameters").toArray();
    return script;
}

QJsonObject Script::record() const {
    QJsonObject record{{"name", name},
                       {"language", language},
                       {"category", category},
                       {"description", description},
                       {"timeout_seconds", timeoutSeconds},
                       {"run_as", runAs},
                       {"os", QJsonArray::fromStringList(os)},
                       {"content", content},
                       {"parameters", definitions}};
    if (isSaved()) {
        record["id"] = id;
        record["version"] = version;
    }
    if (!orgId.isEmpty())
        record["org_id"] = orgId;
    return record;
}

int versionOf(const QJsonObject& versionRecord) {
    return versionRecord.value("version").toInt();
}

QString checkRunValues(const Script& script, const QVariantMap& values) {
    return checkScriptValues(script.definitions, QJsonObject::fromVariantMap(values));
}

} // namespace breeze::console
