#pragma once

#include <QWidget>

class QsciScintilla;
class QsciLexer;
class QCheckBox;
class QLabel;
class QLineEdit;

namespace breeze::console {

// The script text in QScintilla: highlighting for the script's language (bash and sh, python, PowerShell),
// line numbers, current-line marking, and a find-and-replace bar (Ctrl+F, Ctrl+H; Enter finds the next
// match, Escape closes it).
class ScriptEditor : public QWidget {
    Q_OBJECT

public:
    explicit ScriptEditor(QWidget* parent = nullptr);

    void setLanguage(const QString& language);
    QString language() const { return m_language; }
    void setText(const QString& text);
    QString text() const;
    void setReadOnly(bool readOnly);
    bool isModified() const;
    void setModified(bool modified);
    QsciScintilla* scintilla() const { return m_editor; }

    void showFind(bool withReplace);
    // Finds from the cursor on (wrapping); false when there is no match.
    bool findNext(const QString& text);
    // Replaces the current match and finds the next; returns how many were replaced (0 or 1).
    int replaceNext(const QString& text, const QString& replacement);
    int replaceAll(const QString& text, const QString& replacement);

Q_SIGNALS:
    void textChanged();

private:
    QWidget* buildFindBar();
    QsciScintilla* m_editor;
    QsciLexer* m_lexer = nullptr;
    QString m_language;
    QWidget* m_findBar;
    QLineEdit* m_find;
    QLineEdit* m_replace;
    QWidget* m_replaceRow;
    QCheckBox* m_matchCase;
    QLabel* m_findStatus;
};

} // namespace breeze::console
