#pragma once

#include "RecordClient.h"

#include <QDialog>
#include <functional>

class QComboBox;
class QLineEdit;
class QSpinBox;

namespace breeze::console {

class InlineMessage;

// Makes an enrollment key for a site (name, how long it is valid, how many machines may use it) and hands
// over the install line that carries it, which is shown only once. A refusal stays in the dialog.
class EnrollmentKeyDialog : public QDialog {
    Q_OBJECT

public:
    // `made` runs whenever the key was made, even after the dialog was closed meanwhile (the list should show
    // it); `installLine` runs with the line to show while the dialog is still open.
    EnrollmentKeyDialog(RecordClient& records, std::function<void()> made,
                        std::function<void(const QString& line)> installLine, QWidget* parent = nullptr);

private:
    void create();

    RecordClient& m_records;
    std::function<void()> m_made;
    std::function<void(const QString&)> m_installLine;
    QComboBox* m_site;
    QLineEdit* m_name;
    QSpinBox* m_days;
    QSpinBox* m_uses;
    InlineMessage* m_problem;
};

} // namespace breeze::console
