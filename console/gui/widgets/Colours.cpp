#include "widgets/Colours.h"

#include <QApplication>
#include <QPalette>

namespace breeze::console {

QColor colour(Colour role) {
    const bool dark = QApplication::palette().color(QPalette::Window).lightness() < 128;
    switch (role) {
    case Colour::Error:
        return dark ? QColor("#ef5350") : QColor("#c62828");
    case Colour::Warning:
        return dark ? QColor("#ffb74d") : QColor("#ef8f00");
    case Colour::Success:
        return dark ? QColor("#66bb6a") : QColor("#2e7d32");
    case Colour::Muted:
        return dark ? QColor("#9e9e9e") : QColor("#757575");
    case Colour::Accent:
        return dark ? QColor("#64b5f6") : QColor("#1565c0");
    }
    return {};
}

QColor syntaxColour(Syntax role) {
    const bool dark = QApplication::palette().color(QPalette::Window).lightness() < 128;
    switch (role) {
    case Syntax::Comment:
        return dark ? QColor(0x8f, 0xbf, 0x7a) : QColor(0x5c, 0x8a, 0x4a);
    case Syntax::String:
        return dark ? QColor(0xe6, 0x9a, 0x5c) : QColor(0xb3, 0x5a, 0x1f);
    case Syntax::Variable:
        return dark ? QColor(0x7a, 0xb0, 0xe8) : QColor(0x2f, 0x6f, 0xb5);
    case Syntax::Keyword:
        return dark ? QColor(0xc3, 0x8a, 0xe0) : QColor(0x8a, 0x3f, 0xa8);
    case Syntax::Command:
        return dark ? QColor(0x5f, 0xc9, 0xc9) : QColor(0x1f, 0x8a, 0x8a);
    }
    return {};
}

QString colourStyle(Colour role) {
    return "color: " + colour(role).name();
}

} // namespace breeze::console
