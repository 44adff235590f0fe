#include "widgets/PowerQuestion.h"

#include <QInputDialog>
#include <QLabel>

namespace breeze::console {

std::optional<int> askPowerDelay(QWidget* parent, const QString& verb, const QString& targets) {
    QInputDialog ask(parent);
    ask.setWindowTitle(verb);
    ask.setLabelText(QObject::tr("%1 %2 in how many minutes? (users are warned)").arg(verb, targets));
    for (auto* label : ask.findChildren<QLabel*>())
        label->setTextFormat(Qt::PlainText);
    ask.setIntRange(0, 1440);
    ask.setIntValue(5);
    if (ask.exec() != QDialog::Accepted)
        return std::nullopt;
    return ask.intValue() * 60;
}

} // namespace breeze::console
