#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;

namespace breeze::console {

// Find in a terminal's scrollback and screen: a field, the count of matches, previous and next.
class TerminalSearchBar : public QWidget {
    Q_OBJECT

public:
    explicit TerminalSearchBar(QWidget* parent = nullptr);

    void begin(); // shown, the field focused with its text selected
    QString text() const;
    void showMatches(int current, int total);

Q_SIGNALS:
    void searchChanged(const QString& text);
    void next();
    void previous();
    void closed();

protected:
    void keyPressEvent(QKeyEvent* event) override;

private:
    QLineEdit* m_field;
    QLabel* m_count;
};

} // namespace breeze::console
