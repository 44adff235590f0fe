#pragma once

#include "remote/FrameSurface.h"

#include <QOpenGLWidget>

namespace breeze::console {

// The OpenGL path: Qt's OpenGL paint engine uploads the picture as a texture and scales it on the GPU. Not
// for the offscreen platform (QOpenGLWidget needs a real GL context there is none of).
class GlSurface : public QOpenGLWidget, public FrameSurface {
public:
    explicit GlSurface(QWidget* parent = nullptr);

    QWidget* widget() override { return this; }
    void showPicture(const QImage& picture, const QRect& target) override;
    void showCursor(const QImage& shape, const QRect& target) override;
    const char* name() const override { return "opengl"; }
    // Whether OpenGL works here (a context can be made); false under the offscreen platform.
    static bool available();

protected:
    void paintGL() override;

private:
    SurfaceContent m_content;
};

} // namespace breeze::console
