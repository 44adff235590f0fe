#pragma once

#include "DesktopRecordingPlayback.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QSlider;

namespace breeze::console {

class PainterSurface;

// A window that plays a recorded desktop session: the picture fitted to the window, play and pause, a
// slider to seek anywhere, and the speed.
class DesktopRecordingPlayer : public QWidget {
    Q_OBJECT

public:
    // `playback` is loaded already.
    DesktopRecordingPlayer(std::unique_ptr<DesktopRecordingPlayback> playback, const QString& title,
                           QWidget* parent = nullptr);
    ~DesktopRecordingPlayer() override;

    DesktopRecordingPlayback& playback() { return *m_playback; }

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void showPicture();
    void showPosition();

    std::unique_ptr<DesktopRecordingPlayback> m_playback;
    PainterSurface* m_surface;
    QSlider* m_slider;
    QPushButton* m_playButton;
    QComboBox* m_speed;
    QLabel* m_time;
    QLabel* m_problem;
};

} // namespace breeze::console
