#include "remote/PainterSurface.h"

#include <QPaintEvent>
#include <QPainter>

namespace breeze::console {

PainterSurface::PainterSurface(QWidget* parent) : QWidget(parent) {
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMouseTracking(true);
}

void PainterSurface::showPicture(const QImage& picture, const QRect& target) {
    const QRect old = m_target;
    m_picture = picture;
    m_target = target;
    update(old == target ? target : rect());
}

void PainterSurface::showCursor(const QImage& shape, const QRect& target) {
    update(m_cursorTarget);
    m_cursor = shape;
    m_cursorTarget = target;
    update(m_cursorTarget);
}

void PainterSurface::paintEvent(QPaintEvent* event) {
    QPainter painter(this);
    painter.fillRect(event->rect(), QColor(0x20, 0x20, 0x24));
    if (!m_picture.isNull()) {
        painter.setRenderHint(QPainter::SmoothPixmapTransform, m_target.size() != m_picture.size());
        painter.drawImage(m_target, m_picture);
    }
    if (!m_cursor.isNull() && !m_cursorTarget.isEmpty())
        painter.drawImage(m_cursorTarget, m_cursor);
}

} // namespace breeze::console
