#pragma once

#include <QDialog>
#include <QJsonObject>
#include <QJsonValue>
#include <QStringList>

class QLabel;
class QFormLayout;
class QPushButton;

namespace breeze::console {

class InlineMessage;

class ApiClient;

// One field of a RecordForm and how it reaches the request body.
struct FormField {
    enum class Kind { Text, Password, Flag, Number, Choice, Checklist };

    // `initial`: editing, the record's current value (only a changed value is sent); undefined when creating.
    FormField(QString key, QString label, Kind kind = Kind::Text, bool required = false,
              QJsonValue initial = QJsonValue(QJsonValue::Undefined))
        : key(std::move(key)), label(std::move(label)), kind(kind), required(required),
          initial(std::move(initial)) {}
    // A choice among the items of a REST list: sends `valueField`, shows `labelField`.
    static FormField choiceFrom(QString key, QString label, QString path, QString valueField = "id",
                                QString labelField = "name", bool required = true) {
        FormField field(std::move(key), std::move(label), Kind::Choice, required);
        field.optionsPath = std::move(path);
        field.optionValue = std::move(valueField);
        field.optionLabel = std::move(labelField);
        return field;
    }

    QString key; // the body's field
    QString label;
    Kind kind;
    bool required;
    QJsonValue initial;
    // Choice and Checklist: fixed options, or a REST list to load them from (value and label fields).
    QStringList options;
    QString optionsPath;
    QString optionValue = "id";
    QString optionLabel = "name";
    bool allowNone = false; // Choice: an empty first entry, sent as nothing
    bool sendIndexes =
        false; // Checklist: send the checked options' positions (days of the week), not their text
    int minimum = 0, maximum = 100000;
};

// A create or edit form for one administration record (organisation, site, group, user, role, API key): the
// fields are given, the body is sent as is, and the server's refusal is shown in the form in words, with
// everything typed still there. Only fields that were filled (or, when editing, changed) are sent.
class RecordForm : public QDialog {
    Q_OBJECT

public:
    RecordForm(ApiClient& api, const QString& title, QString method, QString path, QList<FormField> fields,
               QWidget* parent = nullptr);

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

    ApiClient& m_api;
    QString m_method;
    QString m_path;
    QList<FormField> m_fields;
    QList<QWidget*> m_editors;
    InlineMessage* m_problem;
    QPushButton* m_save;
};

} // namespace breeze::console
