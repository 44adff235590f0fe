#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

namespace breeze::console {

// Checks run values against a version's parameter definitions with the very rules the server applies (the
// shared protocol code), so the Run dialog can name a bad value before anything is sent. "" when they pass.
QString checkScriptValues(const QJsonArray& parameters, const QJsonObject& values);

} // namespace breeze::console
