#pragma once

#include "FormField.h"
#include "RecordClient.h"

#include <QDialog>
#include <QJsonObject>

class QLabel;
class QFormLayout;
class QPushButton;

namespace breeze::console {

class InlineMessage;

// A create or edit form for one administration record (organisation, site, group, user, role, API key): the
// fields are given, the body is sent as is, and the server's refusal is shown in the form in words, with
// everything typed still there. Only fields that were filled (or, when editing, changed) are sent.
class RecordForm : public QDialog {
    Q_OBJECT

public:
    // Sends the body; answers with what the server returned, or its refusal in words.
    using Submit = std::function<void(const QJsonObject& body, RecordClient::Done done)>;
    enum class Purpose { Create, Edit }; // an edit with nothing changed just closes
    RecordForm(RecordClient& records, const QString& title, QList<FormField> fields, Purpose purpose,
               Submit submit, QWidget* parent = nullptr);

    // The body as it would be sent now.
    QJsonObject body() const;
    QString problem() const;
    // Sends the body; on success emits saved() and closes.
    void submit();

Q_SIGNALS:
    void saved(const QJsonObject& answer);

private:
    QWidget* editorFor(const FormField& field);
    QJsonValue valueOf(int index) const;

    RecordClient& m_records;
    Purpose m_purpose;
    Submit m_submit;
    QList<FormField> m_fields;
    QList<QWidget*> m_editors;
    InlineMessage* m_problem;
    QPushButton* m_save;
};

} // namespace breeze::console
