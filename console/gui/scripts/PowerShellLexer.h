#pragma once

#include "scripts/QsciHeaders.h"

namespace breeze::console {

// QScintilla has no PowerShell lexer: this one colours comments, strings, $variables, keywords and
// Verb-Noun cmdlets, line by line (enough for scripts of a few hundred lines; <# #> blocks are not tracked).
class PowerShellLexer : public QsciLexerCustom {
    Q_OBJECT

public:
    enum Style { Default, Comment, String, Variable, Keyword, Cmdlet, StyleCount };

    explicit PowerShellLexer(QObject* parent = nullptr);

    const char* language() const override { return "PowerShell"; }
    QString description(int style) const override;
    QColor defaultColor(int style) const override;
    void styleText(int start, int end) override;
};

} // namespace breeze::console
