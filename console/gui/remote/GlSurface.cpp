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
    m_content.picture = picture;
    m_content.target = target;
    update();
}

void GlSurface::showCursor(const QImage& shape, const QRect& target) {
    m_content.cursor = shape;
    m_content.cursorTarget = target;
    update();
}

void GlSurface::paintGL() {
    QPainter painter(this);
    m_content.paint(painter, rect());
}

} // namespace breeze::console
