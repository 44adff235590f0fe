#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QVariantMap>

namespace breeze::console {

// One parameter a script takes, passed to it as an environment variable of the same name.
struct ScriptParameter {
    QString name;
    QString label; // empty: the name
    QString type;  // string, number, boolean, choice, secret
    QString description;
    QString defaultValue;
    bool required = false;
    QStringList choices;
};

// A library script as the console edits and runs it. `definitions` keeps the parameters in the form the
// parameter table and the shared value checks take.
struct Script {
    QString id;    // empty: not saved yet
    QString orgId; // empty: the partner-wide library
    QString name;
    QString language = "bash";
    QString category;
    QString description;
    QString runAs;
    QString content;
    int timeoutSeconds = 300;
    int version = 0;
    QStringList os{"linux", "macos"};
    QJsonArray definitions;

    bool isSaved() const { return !id.isEmpty(); }
    QList<ScriptParameter> parameters() const;

    static Script fromRecord(const QJsonObject& record);
    QJsonObject record() const; // the form a server answer has, for what takes records
};

// The version number of a row of a script's history.
int versionOf(const QJsonObject& versionRecord);

// "" when the values pass the version's rules, or why not (the shared checks the server applies too).
QString checkRunValues(const Script& script, const QVariantMap& values);

} // namespace breeze::console
