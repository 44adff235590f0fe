#pragma once

class QChart;
class QEvent;

namespace breeze::console {

// Charts follow the console's theme: Qt Charts draws its own light look whatever the palette, so each chart
// is given the dark or light chart theme that matches the palette, with the palette's window colour behind
// it. Call again when the palette changes (QEvent::PaletteChange).
void applyChartLook(QChart* chart);
bool paletteIsDark();
// Whether `event` may mean another look (a theme applies its style and then its palette, so the caller
// re-applies the look once the event loop has run, when both are in place).
bool changesLook(const QEvent* event);

} // namespace breeze::console
