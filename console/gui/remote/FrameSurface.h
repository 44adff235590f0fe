#pragma once

#include <QImage>
#include <QRect>

class QPainter;
class QWidget;

namespace breeze::console {

// Where a remote picture is drawn: the newest picture in a rectangle of the widget, and the pointer's shape
// in another. Two ways: QPainter on a plain widget (works everywhere, also offscreen) and OpenGL (the
// picture goes to the GPU as a texture and is scaled there). The view around it handles input and layout.
class FrameSurface {
public:
    virtual ~FrameSurface() = default;
    virtual QWidget* widget() = 0;
    virtual void showPicture(const QImage& picture, const QRect& target) = 0;
    // An empty target hides the pointer.
    virtual void showCursor(const QImage& shape, const QRect& target) = 0;
    virtual const char* name() const = 0;
};

// What a surface shows, and how both surfaces draw it.
struct SurfaceContent {
    QImage picture;
    QRect target;
    QImage cursor;
    QRect cursorTarget;

    void paint(QPainter& painter, const QRect& area) const;
};

} // namespace breeze::console
