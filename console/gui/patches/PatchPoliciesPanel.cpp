#include "patches/PatchPoliciesPanel.h"

#include "patches/PatchTable.h"
#include "widgets/RecordForm.h"

#include <QHBoxLayout>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace breeze::console {

PatchPoliciesPanel::PatchPoliciesPanel(ApiClient& api, QWidget* parent)
    : QWidget(parent), m_records(api),
      m_policies(new JsonTableModel({{"name", tr("Policy")},
                                     {"window_days", tr("Days")},
                                     {"window_start", tr("Window")},
                                     {"window_minutes", tr("Minutes")},
                                     {"reboot", tr("Reboot")},
                                     {"auto_approve_security", tr("Security auto-approved")},
                                     {"assignments", tr("Assigned to")}},
                                    this)),
      m_table(patchTable(m_policies, this, false)) {
    auto* buttons = new QHBoxLayout;
    const auto button = [&](const QString& label, auto action) {
        auto* created = new QPushButton(label, this);
        connect(created, &QPushButton::clicked, this, action);
        buttons->addWidget(created);
    };
    button(tr("New policy…"), [this] { newPolicy(); });
    button(tr("Edit…"), [this] { editSelectedPolicy(); });
    button(tr("Assign…"), [this] { assignSelectedPolicy(); });
    button(tr("Delete"), [this] { deleteSelectedPolicy(); });
    buttons->addStretch();
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(m_table, 1);
}

void PatchPoliciesPanel::reload() {
    m_records.list(RecordKind::PatchPolicy, [this](const QJsonArray& items, const QString& error) {
        if (error.isEmpty())
            m_policies->setItems(items);
    });
}

QJsonObject PatchPoliciesPanel::selectedPolicy() {
    const int row = m_table->currentIndex().row();
    if (row < 0) {
        Q_EMIT message(tr("Select a policy first."));
        return {};
    }
    return m_policies->items().at(row).toObject();
}

void PatchPoliciesPanel::deleteSelectedPolicy() {
    const int row = m_table->currentIndex().row();
    if (row < 0)
        return;
    m_records.remove(RecordKind::PatchPolicy, recordId(m_policies->items().at(row).toObject()),
                     [this](const QJsonObject&, const QString& error) {
                         Q_EMIT message(error.isEmpty() ? tr("Policy deleted.") : error);
                         reload();
                     });
}

QList<FormField> PatchPoliciesPanel::policyFields(const QJsonObject& policy) const {
    const bool editing = !policy.isEmpty();
    // Editing: each field starts from the policy's value (and only changes are sent); creating: from
    // defaults.
    const auto initial = [&](const char* key, const QJsonValue& fallback) {
        return editing ? policy.value(key) : fallback;
    };
    const QJsonValue unset(QJsonValue::Undefined);
    QList<FormField> fields;
    fields << FormField("name", tr("Name"), FormField::Kind::Text, true, initial("name", unset));
    if (!editing) {
        FormField org = FormField::choiceFrom("org_id", tr("Organisation"), RecordKind::Organisation, "id",
                                              "name", false);
        org.allowNone = true; // none: the partner-wide policy
        fields << org;
    }
    fields << FormField("auto_approve_security", tr("Auto-approve security updates"), FormField::Kind::Flag,
                        false, initial("auto_approve_security", unset));
    FormField severities("auto_approve_severities", tr("Auto-approve severities"), FormField::Kind::Checklist,
                         false, initial("auto_approve_severities", unset));
    severities.options = {"critical", "important", "moderate", "low"};
    fields << severities
           << FormField("auto_approve_pattern", tr("Auto-approve packages (e.g. openssl*)"),
                        FormField::Kind::Text, false, initial("auto_approve_pattern", unset));
    FormField days("window_days", tr("Window days"), FormField::Kind::Checklist, false,
                   initial("window_days", unset));
    days.options = {tr("Sunday"),   tr("Monday"), tr("Tuesday"), tr("Wednesday"),
                    tr("Thursday"), tr("Friday"), tr("Saturday")};
    days.sendIndexes = true;
    fields << days
           << FormField("window_start", tr("Window start (HH:MM, site time)"), FormField::Kind::Text, false,
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

RecordForm* PatchPoliciesPanel::open(RecordForm* form) {
    form->setAttribute(Qt::WA_DeleteOnClose);
    connect(form, &RecordForm::saved, this, [this] { reload(); });
    form->open();
    return form;
}

RecordForm* PatchPoliciesPanel::newPolicy() {
    return open(new RecordForm(
        m_records, tr("New patch policy"), policyFields({}), RecordForm::Purpose::Create,
        [this](const QJsonObject& body, RecordClient::Done done) {
            m_records.create(RecordKind::PatchPolicy, body, std::move(done));
        },
        this));
}

RecordForm* PatchPoliciesPanel::editSelectedPolicy() {
    const QJsonObject policy = selectedPolicy();
    if (policy.isEmpty())
        return nullptr;
    return open(new RecordForm(
        m_records, tr("Edit patch policy"), policyFields(policy), RecordForm::Purpose::Edit,
        [this, id = recordId(policy)](const QJsonObject& body, RecordClient::Done done) {
            m_records.update(RecordKind::PatchPolicy, id, body, std::move(done));
        },
        this));
}

RecordForm* PatchPoliciesPanel::assignSelectedPolicy() {
    const QJsonObject policy = selectedPolicy();
    if (policy.isEmpty())
        return nullptr;
    FormField org = FormField::choiceFrom("org_id", tr("Organisation (all its sites)"),
                                          RecordKind::Organisation, "id", "name", false);
    org.allowNone = true;
    FormField site =
        FormField::choiceFrom("site_id", tr("Or one site"), RecordKind::Site, "id", "name", false);
    site.allowNone = true;
    return open(new RecordForm(
        m_records, tr("Assign policy"), {org, site}, RecordForm::Purpose::Create,
        [this, id = recordId(policy)](const QJsonObject& body, RecordClient::Done done) {
            m_records.assignPolicy(id, body, std::move(done));
        },
        this));
}

} // namespace breeze::console
