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

QString colourStyle(Colour role) {
    return "color: " + colour(role).name();
}

} // namespace breeze::console
