#pragma once

#include "RecordClient.h"

#include <QJsonArray>
#include <QJsonValue>
#include <QPair>
#include <QStringList>
#include <optional>

namespace breeze::console {

// One field of a record form and the request body field it fills.
struct FormField {
    enum class Kind { Text, Password, Flag, Number, Choice, Checklist };

    // `initial`: editing, the record's current value (only a changed value is sent); undefined when creating.
    FormField(QString key, QString label, Kind kind = Kind::Text, bool required = false,
              QJsonValue initial = QJsonValue(QJsonValue::Undefined))
        : key(std::move(key)), label(std::move(label)), kind(kind), required(required),
          initial(std::move(initial)) {}
    // A choice among records of a kind: sends `valueField`, shows `labelField`.
    static FormField choiceFrom(QString key, QString label, RecordKind source, QString valueField = "id",
                                QString labelField = "name", bool required = true) {
        FormField field(std::move(key), std::move(label), Kind::Choice, required);
        field.optionsFrom = source;
        field.optionValue = std::move(valueField);
        field.optionLabel = std::move(labelField);
        return field;
    }

    QString key; // the body's field
    QString label;
    Kind kind;
    bool required;
    QJsonValue initial;
    // Choice and Checklist: fixed options, or records to load them from (value and label fields).
    QStringList options;
    std::optional<RecordKind> optionsFrom;
    QString optionValue = "id";
    QString optionLabel = "name";
    bool allowNone = false; // Choice: an empty first entry, sent as nothing
    bool sendIndexes =
        false; // Checklist: send the checked options' positions (days of the week), not their text
    int minimum = 0, maximum = 100000;

    // A Choice's entries among loaded records: (label, value) for each.
    QList<QPair<QString, QString>> choicesAmong(const QJsonArray& records) const;
};

} // namespace breeze::console
