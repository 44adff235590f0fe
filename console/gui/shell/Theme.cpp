#include "shell/Theme.h"

#include <QApplication>
#include <QPalette>
#include <QSettings>
#include <QStyle>
#include <QStyleFactory>

namespace breeze::console {

QString Theme::s_applied;

namespace {
QPalette darkPalette() {
    QPalette palette;
    const QColor window(37, 40, 45), base(28, 30, 34), text(225, 228, 232), highlight(66, 133, 244);
    palette.setColor(QPalette::Window, window);
    palette.setColor(QPalette::WindowText, text);
    palette.setColor(QPalette::Base, base);
    palette.setColor(QPalette::AlternateBase, window);
    palette.setColor(QPalette::ToolTipBase, base);
    palette.setColor(QPalette::ToolTipText, text);
    palette.setColor(QPalette::Text, text);
    palette.setColor(QPalette::Button, window);
    palette.setColor(QPalette::ButtonText, text);
    palette.setColor(QPalette::Highlight, highlight);
    palette.setColor(QPalette::HighlightedText, Qt::white);
    palette.setColor(QPalette::PlaceholderText, QColor(140, 145, 150));
    palette.setColor(QPalette::Disabled, QPalette::Text, QColor(120, 120, 120));
    palette.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(120, 120, 120));
    return palette;
}
} // namespace

void Theme::apply(const QString& name, bool remember) {
    if (remember)
        QSettings().setValue("appearance/theme", name);
    s_applied = name;
    if (name == "dark") {
        QApplication::setStyle(QStyleFactory::create("Fusion"));
        QApplication::setPalette(darkPalette());
    } else if (name == "light") {
        QApplication::setStyle(QStyleFactory::create("Fusion"));
        QApplication::setPalette(QApplication::style()->standardPalette());
    } else {
        QApplication::setPalette(QPalette());
    }
}

QString Theme::current() {
    return s_applied.isEmpty() ? QSettings().value("appearance/theme", "system").toString() : s_applied;
}

void Theme::restore() {
    if (current() != "system")
        apply(current());
}

} // namespace breeze::console
