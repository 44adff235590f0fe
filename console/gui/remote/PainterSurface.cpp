#include "remote/PainterSurface.h"

#include <QPaintEvent>
#include <QPainter>

namespace breeze::console {

PainterSurface::PainterSurface(QWidget* parent) : QWidget(parent) {
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMouseTracking(true);
}

void PainterSurface::showPicture(const QImage& picture, const QRect& target) {
    const QRect old = m_content.target;
    m_content.picture = picture;
    m_content.target = target;
    update(old == target ? target : rect());
}

void PainterSurface::showCursor(const QImage& shape, const QRect& target) {
    update(m_content.cursorTarget);
    m_content.cursor = shape;
    m_content.cursorTarget = target;
    update(m_content.cursorTarget);
}

void PainterSurface::paintEvent(QPaintEvent* event) {
    QPainter painter(this);
    m_content.paint(painter, event->rect());
}

} // namespace breeze::console
