#pragma once

#include "FormField.h"

#include <QJsonArray>
#include <QJsonObject>

namespace breeze::console {

// The fields of every create and edit form of records: which request field each one fills, its label and
// kind. An edit form starts from the record's values (`record`, as listed) and sends only what changed.
namespace RecordForms {
QList<FormField> newOrganisation();
QList<FormField> editOrganisation(const QJsonObject& record);
QList<FormField> newSite();
QList<FormField> editSite(const QJsonObject& record);
QList<FormField> newDeviceGroup();
QList<FormField> renameDeviceGroup(const QJsonObject& record);
QList<FormField> newUser();
QList<FormField> editUser(const QJsonObject& record);
// The permissions offered are every one the listed roles grant (the built-in roles hold all).
QList<FormField> newRole(const QJsonArray& roles);
QList<FormField> newApiKey();
// A patch policy: new (`record` empty) or edited.
QList<FormField> patchPolicy(const QJsonObject& record);
QList<FormField> assignPolicy();
} // namespace RecordForms

} // namespace breeze::console
