#pragma once

class QChart;

namespace breeze::console {

// Charts follow the console's theme: Qt Charts draws its own light look whatever the palette, so each chart
// is given the dark or light chart theme that matches the palette, with the palette's window colour behind
// it. Call again when the palette changes (QEvent::PaletteChange).
void applyChartLook(QChart* chart);
bool paletteIsDark();

} // namespace breeze::console
