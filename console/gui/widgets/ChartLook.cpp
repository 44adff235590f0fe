#include "widgets/ChartLook.h"

#include <QApplication>
#include <QChart>
#include <QEvent>
#include <QPalette>

namespace breeze::console {

bool changesLook(const QEvent* event) {
    return event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange ||
           event->type() == QEvent::StyleChange;
}

bool paletteIsDark() {
    return QApplication::palette().color(QPalette::Window).lightness() < 128;
}

void applyChartLook(QChart* chart) {
    const QPalette palette = QApplication::palette();
    chart->setTheme(paletteIsDark() ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    chart->setBackgroundBrush(palette.color(QPalette::Window));
    chart->setTitleBrush(palette.color(QPalette::WindowText));
    chart->legend()->setLabelColor(palette.color(QPalette::WindowText));
}

} // namespace breeze::console
