#include "widgets/PowerQuestion.h"

#include <QDialogButtonBox>
#include <QInputDialog>
#include <QLabel>
#include <QPushButton>

namespace breeze::console {

std::optional<int> askPowerDelay(QWidget* parent, const QString& verb, const QString& targets) {
    QInputDialog ask(parent);
    ask.setWindowTitle(verb);
    ask.setLabelText(QObject::tr("%1 %2 in how many minutes? (users are warned)").arg(verb, targets));
    for (auto* label : ask.findChildren<QLabel*>())
        label->setTextFormat(Qt::PlainText);
    ask.setIntRange(0, 1440);
    ask.setIntValue(5);
    // Enter does not restart anything by accident: Cancel is the default. The dialog makes its buttons as it
    // opens, so they are set once it is open.
    QMetaObject::invokeMethod(
        &ask,
        [&ask] {
            if (auto* buttons = ask.findChild<QDialogButtonBox*>()) {
                if (auto* ok = buttons->button(QDialogButtonBox::Ok)) {
                    ok->setAutoDefault(false);
                    ok->setDefault(false);
                }
                if (auto* cancel = buttons->button(QDialogButtonBox::Cancel)) {
                    cancel->setDefault(true);
                    cancel->setFocus();
                }
            }
        },
        Qt::QueuedConnection);
    if (ask.exec() != QDialog::Accepted)
        return std::nullopt;
    return ask.intValue() * 60;
}

} // namespace breeze::console
