#include "remote/FrameSurface.h"

#include <QPainter>

namespace breeze::console {

void SurfaceContent::paint(QPainter& painter, const QRect& area) const {
    painter.fillRect(area, QColor(0x20, 0x20, 0x24));
    if (!picture.isNull()) {
        // Smooth only when scaled: at 1:1 every pixel is the device's.
        painter.setRenderHint(QPainter::SmoothPixmapTransform, target.size() != picture.size());
        painter.drawImage(target, picture);
    }
    if (!cursor.isNull() && !cursorTarget.isEmpty())
        painter.drawImage(cursorTarget, cursor);
}

} // namespace breeze::console
