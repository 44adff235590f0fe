#include "widgets/Confirmation.h"

#include <QMessageBox>
#include <QStringList>
#include <deque>

namespace breeze::console {

namespace {
// The console's widgets live on the GUI thread only, so these need no lock.
std::deque<bool>& preAnswers() {
    static std::deque<bool> answers;
    return answers;
}
QStringList& questions() {
    static QStringList asked;
    return asked;
}
} // namespace

bool Confirmation::ask(QWidget* parent, const QString& title, const QString& question) {
    if (!preAnswers().empty()) {
        questions().push_back(question); // only in tests: a console that is used keeps nothing
        const bool answer = preAnswers().front();
        preAnswers().pop_front();
        return answer;
    }
    QMessageBox box(QMessageBox::Question, title, question, QMessageBox::Yes | QMessageBox::No, parent);
    box.setTextFormat(Qt::PlainText);
    // Enter or a reflex never destroys anything: the safe answer has the focus.
    box.setDefaultButton(QMessageBox::No);
    box.setEscapeButton(QMessageBox::No);
    return box.exec() == QMessageBox::Yes;
}

void Confirmation::preAnswer(std::initializer_list<bool> answers) {
    preAnswers().insert(preAnswers().end(), answers.begin(), answers.end());
}

QStringList Confirmation::asked() {
    QStringList asked;
    asked.swap(questions());
    return asked;
}

} // namespace breeze::console
