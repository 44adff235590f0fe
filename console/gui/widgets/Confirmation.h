#pragma once

#include <QString>
#include <QStringList>
#include <initializer_list>

class QWidget;

namespace breeze::console {

// Asks the technician to confirm something that cannot be undone (a deletion, trusting a server). The
// question is plain text, since it often names what an agent or a user called something. Tests answer ahead
// of time with preAnswer instead of hunting for the dialog.
class Confirmation {
public:
    static bool ask(QWidget* parent, const QString& title, const QString& question);
    // The next calls of ask() return these answers, in order, without showing anything.
    static void preAnswer(std::initializer_list<bool> answers);
    // The questions answered ahead since the last call, for tests.
    static QStringList asked();
};

} // namespace breeze::console
