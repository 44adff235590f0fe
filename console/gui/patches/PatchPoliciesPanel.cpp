#include "patches/PatchPoliciesPanel.h"

#include "RecordForms.h"
#include "TableColumns.h"
#include "patches/PatchTable.h"
#include "widgets/RecordForm.h"
#include "widgets/SelectionGate.h"

#include <QHBoxLayout>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace breeze::console {

PatchPoliciesPanel::PatchPoliciesPanel(ApiClient& api, QWidget* parent)
    : QWidget(parent), m_records(api), m_policies(new JsonTableModel(TableColumns::patchPolicies(), this)),
      m_table(patchTable(m_policies, this, false)) {
    auto* buttons = new QHBoxLayout;
    const auto button = [&](const QString& label, auto action) {
        auto* created = new QPushButton(label, this);
        connect(created, &QPushButton::clicked, this, action);
        buttons->addWidget(created);
        return created;
    };
    button(tr("New policy…"), [this] { newPolicy(); });
    enableWithSelection(m_table, {button(tr("Edit…"), [this] { editSelectedPolicy(); }),
                                  button(tr("Assign…"), [this] { assignSelectedPolicy(); }),
                                  button(tr("Delete"), [this] { deleteSelectedPolicy(); })});
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
        Q_EMIT message(InlineMessage::Kind::Warning, tr("Select a policy first."));
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
                         if (error.isEmpty())
                             Q_EMIT message(InlineMessage::Kind::Success, tr("Policy deleted."));
                         else
                             Q_EMIT message(InlineMessage::Kind::Error, error);
                         reload();
                     });
}

RecordForm* PatchPoliciesPanel::open(RecordForm* form) {
    form->setAttribute(Qt::WA_DeleteOnClose);
    connect(form, &RecordForm::saved, this, [this] { reload(); });
    form->open();
    return form;
}

RecordForm* PatchPoliciesPanel::newPolicy() {
    return open(new RecordForm(
        m_records, tr("New patch policy"), RecordForms::patchPolicy({}), RecordForm::Purpose::Create,
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
        m_records, tr("Edit patch policy"), RecordForms::patchPolicy(policy), RecordForm::Purpose::Edit,
        [this, id = recordId(policy)](const QJsonObject& body, RecordClient::Done done) {
            m_records.update(RecordKind::PatchPolicy, id, body, std::move(done));
        },
        this));
}

RecordForm* PatchPoliciesPanel::assignSelectedPolicy() {
    const QJsonObject policy = selectedPolicy();
    if (policy.isEmpty())
        return nullptr;
    return open(new RecordForm(
        m_records, tr("Assign policy"), RecordForms::assignPolicy(), RecordForm::Purpose::Create,
        [this, id = recordId(policy)](const QJsonObject& body, RecordClient::Done done) {
            m_records.assignPolicy(id, body, std::move(done));
        },
        this));
}

} // namespace breeze::console
