#include "RecordForms.h"

#include <QCoreApplication>

namespace breeze::console::RecordForms {

namespace {
QString tr(const char* text) {
    return QCoreApplication::translate("RecordForms", text);
}

FormField organisationChoice() {
    return FormField::choiceFrom("org_id", tr("Organisation"), RecordKind::Organisation);
}

FormField roleChoice() {
    return FormField::choiceFrom("role", tr("Role"), RecordKind::Role, "name", "name");
}

FormField text(const char* key, const QString& label, bool required = false,
               QJsonValue initial = QJsonValue(QJsonValue::Undefined)) {
    return {key, label, FormField::Kind::Text, required, std::move(initial)};
}

FormField flag(const char* key, const QString& label,
               QJsonValue initial = QJsonValue(QJsonValue::Undefined)) {
    return {key, label, FormField::Kind::Flag, false, std::move(initial)};
}
} // namespace

QList<FormField> newOrganisation() {
    return {text("name", tr("Name"), true),
            flag("require_device_approval", tr("New devices wait for approval"))};
}

QList<FormField> editOrganisation(const QJsonObject& record) {
    return {text("name", tr("Name"), true, record.value("name")),
            flag("require_device_approval", tr("New devices wait for approval"),
                 record.value("require_device_approval"))};
}

QList<FormField> newSite() {
    return {organisationChoice(), text("name", tr("Name"), true),
            text("timezone", tr("Time zone (e.g. Europe/Berlin)"))};
}

QList<FormField> editSite(const QJsonObject& record) {
    return {text("name", tr("Name"), true, record.value("name")),
            text("timezone", tr("Time zone"), false, record.value("timezone"))};
}

QList<FormField> newDeviceGroup() {
    FormField site = FormField::choiceFrom("site_id", tr("Site"), RecordKind::Site, "id", "name", false);
    site.allowNone = true;
    return {organisationChoice(), site, text("name", tr("Name"), true)};
}

QList<FormField> renameDeviceGroup(const QJsonObject& record) {
    return {text("name", tr("Name"), true, record.value("name"))};
}

QList<FormField> newUser() {
    FormField org = organisationChoice();
    org.required = false;
    org.allowNone = true; // none: partner-wide
    return {text("email", tr("E-mail"), true),
            text("display_name", tr("Name")),
            {"password", tr("Initial password"), FormField::Kind::Password, true},
            org,
            roleChoice(),
            flag("mfa_required", tr("Require two-factor sign-in"))};
}

QList<FormField> editUser(const QJsonObject& record) {
    return {text("display_name", tr("Name"), false, record.value("display_name")),
            flag("disabled", tr("Disabled (cannot sign in)"), record.value("disabled")),
            flag("mfa_required", tr("Require two-factor sign-in"), record.value("mfa_required")),
            {"password", tr("New password (leave empty to keep)"), FormField::Kind::Password}};
}

QList<FormField> newRole(const QJsonArray& roles) {
    QStringList permissions;
    for (const auto& role : roles)
        for (const auto& permission : role.toObject().value("permissions").toArray())
            if (!permissions.contains(permission.toString()))
                permissions << permission.toString();
    permissions.sort();
    FormField chosen{"permissions", tr("Permissions"), FormField::Kind::Checklist, true};
    chosen.options = permissions;
    return {text("name", tr("Name (a-z, 0-9, -)"), true), text("description", tr("Description")), chosen};
}

QList<FormField> newApiKey() {
    FormField days{"expires_in_days", tr("Valid for (days)"), FormField::Kind::Number, true, 90};
    days.minimum = 1;
    days.maximum = 3650;
    return {text("name", tr("Name"), true), organisationChoice(), roleChoice(), days};
}

QList<FormField> patchPolicy(const QJsonObject& record) {
    const bool editing = !record.isEmpty();
    // Editing: each field starts from the policy's value (and only changes are sent); creating: from
    // defaults.
    const auto initial = [&](const char* key, const QJsonValue& fallback) {
        return editing ? record.value(key) : fallback;
    };
    const QJsonValue unset(QJsonValue::Undefined);
    QList<FormField> fields;
    fields << text("name", tr("Name"), true, initial("name", unset));
    if (!editing) {
        FormField org = FormField::choiceFrom("org_id", tr("Organisation"), RecordKind::Organisation, "id",
                                              "name", false);
        org.allowNone = true; // none: the partner-wide policy
        fields << org;
    }
    fields << flag("auto_approve_security", tr("Auto-approve security updates"),
                   initial("auto_approve_security", unset));
    FormField severities("auto_approve_severities", tr("Auto-approve severities"), FormField::Kind::Checklist,
                         false, initial("auto_approve_severities", unset));
    severities.options = {"critical", "important", "moderate", "low"};
    fields << severities
           << text("auto_approve_pattern", tr("Auto-approve packages (e.g. openssl*)"), false,
                   initial("auto_approve_pattern", unset));
    FormField days("window_days", tr("Window days"), FormField::Kind::Checklist, false,
                   initial("window_days", unset));
    days.options = {tr("Sunday"),   tr("Monday"), tr("Tuesday"), tr("Wednesday"),
                    tr("Thursday"), tr("Friday"), tr("Saturday")};
    days.sendIndexes = true;
    fields << days
           << text("window_start", tr("Window start (HH:MM, site time)"), false,
                   initial("window_start", "02:00"));
    const auto number = [&](const char* key, const QString& label, int fallback, int minimum, int maximum) {
        FormField field(key, label, FormField::Kind::Number, true, initial(key, fallback));
        field.minimum = minimum;
        field.maximum = maximum;
        return field;
    };
    const auto choice = [&](const char* key, const QString& label, const QString& fallback,
                            QStringList options) {
        FormField field(key, label, FormField::Kind::Choice, true, initial(key, fallback));
        field.options = std::move(options);
        return field;
    };
    fields << number("window_minutes", tr("Window length (minutes)"), 120, 15, 1440)
           << number("scan_interval_hours", tr("Scan every (hours)"), 24, 1, 720)
           << choice("reboot", tr("Reboot"), "if_required", {"if_required", "never", "always"})
           << number("reboot_delay_minutes", tr("Reboot delay (minutes)"), 15, 0, 1440)
           << choice("missed_window", tr("Missed window"), "next_window", {"next_window", "when_online"});
    return fields;
}

QList<FormField> assignPolicy() {
    FormField org = FormField::choiceFrom("org_id", tr("Organisation (all its sites)"),
                                          RecordKind::Organisation, "id", "name", false);
    org.allowNone = true;
    FormField site =
        FormField::choiceFrom("site_id", tr("Or one site"), RecordKind::Site, "id", "name", false);
    site.allowNone = true;
    return {org, site};
}

} // namespace breeze::console::RecordForms
