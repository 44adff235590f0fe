#include "widgets/RecordForm.h"

#include "widgets/InlineMessage.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPointer>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace breeze::console {

RecordForm::RecordForm(RecordClient& records, const QString& title, QList<FormField> fields, Purpose purpose,
                       Submit submit, QWidget* parent)
    : QDialog(parent), m_records(records), m_purpose(purpose), m_submit(std::move(submit)),
      m_fields(std::move(fields)) {
    setWindowTitle(title);
    auto* form = new QFormLayout;
    for (const auto& field : m_fields) {
        QWidget* editor = editorFor(field);
        m_editors.append(editor);
        form->addRow(field.label + (field.required ? " *" : ""), editor);
    }
    m_problem = new InlineMessage(this); // the server's words may quote what was typed
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_save = buttons->addButton(tr("Save"), QDialogButtonBox::AcceptRole);
    m_save->setDefault(true);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_save, &QPushButton::clicked, this, &RecordForm::submit);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);
}

QWidget* RecordForm::editorFor(const FormField& field) {
    switch (field.kind) {
    case FormField::Kind::Text:
    case FormField::Kind::Password: {
        auto* edit = new QLineEdit(field.initial.toString(), this);
        if (field.kind == FormField::Kind::Password)
            edit->setEchoMode(QLineEdit::Password);
        return edit;
    }
    case FormField::Kind::Flag: {
        auto* box = new QCheckBox(this);
        box->setChecked(field.initial.toBool());
        return box;
    }
    case FormField::Kind::Number: {
        auto* spin = new QSpinBox(this);
        spin->setRange(field.minimum, field.maximum);
        spin->setValue(field.initial.toInt(field.minimum));
        return spin;
    }
    case FormField::Kind::Choice: {
        auto* combo = new QComboBox(this);
        if (field.allowNone)
            combo->addItem(tr("(none)"), QString());
        for (const QString& option : field.options)
            combo->addItem(option, option);
        if (field.optionsFrom) {
            // The answer may come after the form was closed.
            const QPointer<QComboBox> box(combo);
            m_records.list(*field.optionsFrom, [box, field](const QJsonArray& items, const QString&) {
                if (box)
                    for (const auto& [label, value] : field.choicesAmong(items))
                        box->addItem(label, value);
            });
        }
        return combo;
    }
    case FormField::Kind::Checklist: {
        auto* list = new QListWidget(this);
        const auto add = [list, field](const QString& option) {
            auto* item = new QListWidgetItem(option, list);
            item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
            item->setCheckState(Qt::Unchecked);
        };
        for (const QString& option : field.options)
            add(option);
        // Editing: what the record has is ticked (by position when positions are what is sent).
        for (const auto& value : field.initial.toArray())
            for (int i = 0; i < list->count(); ++i)
                if (field.sendIndexes ? value.toInt(-1) == i : value.toString() == list->item(i)->text())
                    list->item(i)->setCheckState(Qt::Checked);
        list->setMinimumHeight(160);
        return list;
    }
    }
    return nullptr;
}

QJsonValue RecordForm::valueOf(int index) const {
    const FormField& field = m_fields[index];
    QWidget* editor = m_editors[index];
    switch (field.kind) {
    case FormField::Kind::Text:
    case FormField::Kind::Password: {
        const QString text = static_cast<QLineEdit*>(editor)->text();
        const QString value = field.kind == FormField::Kind::Text ? text.trimmed() : text;
        return value.isEmpty() ? QJsonValue() : QJsonValue(value);
    }
    case FormField::Kind::Flag:
        return static_cast<QCheckBox*>(editor)->isChecked();
    case FormField::Kind::Number:
        return static_cast<QSpinBox*>(editor)->value();
    case FormField::Kind::Choice: {
        const QString value = static_cast<QComboBox*>(editor)->currentData().toString();
        return value.isEmpty() ? QJsonValue() : QJsonValue(value);
    }
    case FormField::Kind::Checklist: {
        QJsonArray checked;
        auto* list = static_cast<QListWidget*>(editor);
        for (int i = 0; i < list->count(); ++i)
            if (list->item(i)->checkState() == Qt::Checked)
                checked.append(field.sendIndexes ? QJsonValue(i) : QJsonValue(list->item(i)->text()));
        return checked;
    }
    }
    return {};
}

QJsonObject RecordForm::body() const {
    QJsonObject body;
    for (int i = 0; i < m_fields.size(); ++i) {
        const QJsonValue value = valueOf(i);
        // Editing sends only what changed; creating, only what was given.
        const QJsonValue& initial = m_fields[i].initial;
        // An empty text box is null; a record's empty text is "": the same, unchanged.
        const bool unchanged =
            !initial.isUndefined() &&
            (value == initial || (value.isNull() && initial.isString() && initial.toString().isEmpty()));
        if (value.isUndefined() || unchanged)
            continue;
        body.insert(m_fields[i].key, value);
    }
    return body;
}

QString RecordForm::problem() const {
    return m_problem->isVisible() ? m_problem->message() : QString();
}

void RecordForm::submit() {
    for (int i = 0; i < m_fields.size(); ++i)
        if (m_fields[i].required && valueOf(i).isUndefined()) {
            m_problem->showError(tr("%1 is required.").arg(m_fields[i].label));
            m_editors[i]->setFocus();
            return;
        }
    const QJsonObject body = this->body();
    if (body.isEmpty() && m_purpose == Purpose::Edit) {
        reject(); // nothing changed
        return;
    }
    m_save->setEnabled(false);
    m_problem->clear();
    const QPointer<RecordForm> self(this);
    m_submit(body, [self](const QJsonObject& answer, const QString& error) {
        if (!self)
            return;
        self->m_save->setEnabled(true);
        if (!error.isEmpty()) {
            self->m_problem->showError(error);
            return;
        }
        Q_EMIT self->saved(answer);
        self->accept();
    });
}

} // namespace breeze::console
