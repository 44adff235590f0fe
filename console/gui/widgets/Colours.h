#pragma once

#include <QColor>
#include <QString>

namespace breeze::console {

// The meaning-bearing colours of the console, one place for all views, each in a light and a dark shade
// chosen by the palette the theme applied (so a dark theme never shows dark red on dark grey).
enum class Colour { Error, Warning, Success, Muted, Accent };

QColor colour(Colour role);

// The script editor's syntax colours (the PowerShell lexer; QScintilla's own lexers bring theirs).
enum class Syntax { Comment, String, Variable, Keyword, Command };
QColor syntaxColour(Syntax role);
// "color: #rrggbb" for a style sheet.
QString colourStyle(Colour role);

} // namespace breeze::console
