#pragma once

#include <QImage>
#include <QPointer>
#include <QWidget>

class QLabel;

namespace breeze::console {

class DesktopSession;
class FrameSurface;

// One stream of a remote desktop on screen: the newest picture, fitted to the view or at its own size, the
// remote pointer drawn over it, and the technician's mouse, wheel and keys sent to the device in the
// picture's own coordinates. Keys travel as keysyms (what the technician's keyboard typed). With the
// keyboard captured every key goes to the device, the console's own shortcuts too, until Ctrl+Alt+Shift is
// pressed. Losing focus lets go of every key and button held on the device.
class DesktopView : public QWidget {
    Q_OBJECT

public:
    enum class Scale { Fit, Actual };

    // `openGl`: draw through OpenGL where it works, else with QPainter.
    DesktopView(DesktopSession& session, int stream, bool openGl, QWidget* parent = nullptr);
    ~DesktopView() override;

    int stream() const { return m_stream; }
    void setScale(Scale scale);
    Scale scale() const { return m_scale; }
    // Local view-only: nothing is sent even when the session could control.
    void setInputEnabled(bool enabled);
    bool inputEnabled() const { return m_inputEnabled; }
    void setKeyboardCaptured(bool captured);
    bool keyboardCaptured() const { return m_captured; }
    void setStatsVisible(bool visible);
    bool statsVisible() const;
    QString statsText() const;
    bool hasPicture() const { return !m_picture.isNull(); }
    const QImage& picture() const { return m_picture; }
    const FrameSurface& surface() const { return *m_surface; }
    // Where a point of the view lands on the remote picture (none outside it).
    std::optional<QPoint> toRemote(QPoint local) const;
    QSize sizeHint() const override;

Q_SIGNALS:
    void keyboardCaptureChanged(bool captured);

protected:
    bool event(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void keyReleaseEvent(QKeyEvent* event) override;
    void focusOutEvent(QFocusEvent* event) override;

private:
    QRect target() const;
    void place();
    void placeCursor();
    void sendPointer(QMouseEvent* event);
    void updateStats();

    DesktopSession& m_session;
    int m_stream;
    FrameSurface* m_surface;
    QLabel* m_stats;
    QImage m_picture;
    QImage m_cursorShape;
    QPoint m_cursorHot;
    std::optional<QPoint> m_cursorAt; // whole-desktop coordinates
    Scale m_scale = Scale::Fit;
    bool m_inputEnabled = true;
    bool m_captured = false;
};

} // namespace breeze::console
