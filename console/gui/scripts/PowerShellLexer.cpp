#include "scripts/PowerShellLexer.h"

#include "widgets/Colours.h"

#include <QColor>
#include <QSet>

namespace breeze::console {

namespace {
bool isWordByte(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == ':';
}

const QSet<QByteArray>& powerShellKeywords() {
    static const QSet<QByteArray> words{
        "begin", "break",   "catch",  "class",   "continue", "data",    "do",       "else",  "elseif",
        "end",   "exit",    "filter", "finally", "for",      "foreach", "function", "if",    "in",
        "param", "process", "return", "switch",  "throw",    "trap",    "try",      "until", "while"};
    return words;
}
} // namespace

PowerShellLexer::PowerShellLexer(QObject* parent) : QsciLexerCustom(parent) {}

QString PowerShellLexer::description(int style) const {
    static const char* names[] = {"Default", "Comment", "String", "Variable", "Keyword", "Cmdlet"};
    return style >= 0 && style < StyleCount ? names[style] : QString();
}

QColor PowerShellLexer::defaultColor(int style) const {
    switch (style) {
    case Comment:
        return syntaxColour(Syntax::Comment);
    case String:
        return syntaxColour(Syntax::String);
    case Variable:
        return syntaxColour(Syntax::Variable);
    case Keyword:
        return syntaxColour(Syntax::Keyword);
    case Cmdlet:
        return syntaxColour(Syntax::Command);
    default:
        return QsciLexerCustom::defaultColor(style);
    }
}

void PowerShellLexer::styleText(int start, int end) {
    if (!editor())
        return;
    // Restyle from the start of the line, so a token is never cut in two.
    int line = 0, index = 0;
    editor()->lineIndexFromPosition(start, &line, &index);
    start = editor()->positionFromLineIndex(line, 0);
    const QByteArray text = editor()->bytes(start, end);
    startStyling(start);
    int i = 0;
    const int size = static_cast<int>(text.size() - (text.endsWith('\0') ? 1 : 0));
    while (i < size) {
        const char c = text[i];
        int length = 1;
        int style = Default;
        if (c == '#') {
            while (i + length < size && text[i + length] != '\n')
                ++length;
            style = Comment;
        } else if (c == '"' || c == '\'') {
            while (i + length < size && text[i + length] != c && text[i + length] != '\n')
                ++length;
            if (i + length < size && text[i + length] == c)
                ++length;
            style = String;
        } else if (c == '$') {
            while (i + length < size && isWordByte(text[i + length]) && text[i + length] != '-')
                ++length;
            style = Variable;
        } else if (isWordByte(c) && c != '-' && c != ':') {
            while (i + length < size && isWordByte(text[i + length]))
                ++length;
            const QByteArray word = text.mid(i, length);
            if (powerShellKeywords().contains(word.toLower()))
                style = Keyword;
            else if (word.contains('-') && !word.startsWith('-') &&
                     std::isupper(static_cast<unsigned char>(word[0])))
                style = Cmdlet;
        }
        setStyling(length, style);
        i += length;
    }
}

} // namespace breeze::console
