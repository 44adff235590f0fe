#pragma once

#include "remote/FrameSurface.h"

#include <QWidget>

namespace breeze::console {

// The QPainter path: draws the picture scaled into its rectangle (smoothly when it is scaled) and the
// pointer over it.
class PainterSurface : public QWidget, public FrameSurface {
public:
    explicit PainterSurface(QWidget* parent = nullptr);

    QWidget* widget() override { return this; }
    void showPicture(const QImage& picture, const QRect& target) override;
    void showCursor(const QImage& shape, const QRect& target) override;
    const char* name() const override { return "painter"; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    SurfaceContent m_content;
};

} // namespace breeze::console
