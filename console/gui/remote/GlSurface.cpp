#include "remote/GlSurface.h"

#include <QGuiApplication>
#include <QOffscreenSurface>
#include <QOpenGLContext>
#include <QPainter>

namespace breeze::console {

GlSurface::GlSurface(QWidget* parent) : QOpenGLWidget(parent) {
    setMouseTracking(true);
}

bool GlSurface::available() {
    if (QGuiApplication::platformName() == QStringLiteral("offscreen"))
        return false;
    QOpenGLContext context;
    if (!context.create())
        return false;
    QOffscreenSurface surface;
    surface.create();
    return context.makeCurrent(&surface);
}

void GlSurface::showPicture(const QImage& picture, const QRect& target) {
    m_picture = picture;
    m_target = target;
    update();
}

void GlSurface::showCursor(const QImage& shape, const QRect& target) {
    m_cursor = shape;
    m_cursorTarget = target;
    update();
}

void GlSurface::paintGL() {
    QPainter painter(this);
    painter.fillRect(rect(), QColor(0x20, 0x20, 0x24));
    if (!m_picture.isNull()) {
        painter.setRenderHint(QPainter::SmoothPixmapTransform, m_target.size() != m_picture.size());
        painter.drawImage(m_target, m_picture);
    }
    if (!m_cursor.isNull() && !m_cursorTarget.isEmpty())
        painter.drawImage(m_cursorTarget, m_cursor);
}

} // namespace breeze::console
