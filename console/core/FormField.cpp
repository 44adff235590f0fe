#include "FormField.h"

#include <QJsonObject>

namespace breeze::console {

QList<QPair<QString, QString>> FormField::choicesAmong(const QJsonArray& records) const {
    QList<QPair<QString, QString>> choices;
    for (const auto& record : records) {
        const QJsonObject object = record.toObject();
        choices.append({object.value(optionLabel).toString(), object.value(optionValue).toString()});
    }
    return choices;
}

} // namespace breeze::console
