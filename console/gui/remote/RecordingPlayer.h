#pragma once

#include "TerminalRecording.h"
#include "TerminalScreen.h"

#include <QElapsedTimer>
#include <QTimer>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSlider;

namespace breeze::console {

class TerminalView;

// A recorded terminal session played back: play and pause at 1x to 8x, a position slider that seeks at once
// (forward from where it is, or replayed from the start into a fresh screen), and find, which jumps to the
// next moment the text was on the screen.
class RecordingPlayer : public QWidget {
    Q_OBJECT

public:
    RecordingPlayer(TerminalRecording recording, const QString& title, QWidget* parent = nullptr);

    void seek(double seconds);
    void play();
    void pause();
    // Jumps to the next moment (after the current one, wrapping) whose output shows `text`; false when none.
    bool findNext(const QString& text);
    double position() const { return m_position; }
    bool playing() const { return m_timer.isActive(); }
    TerminalScreen& screen() { return m_screen; }
    TerminalView* view() const { return m_view; }

private:
    void advance();
    void showPosition();

    TerminalRecording m_recording;
    TerminalScreen m_screen;
    TerminalView* m_view;
    QSlider* m_slider;
    QPushButton* m_playButton;
    QComboBox* m_speed;
    QLabel* m_time;
    QLineEdit* m_find;
    QLabel* m_found;
    QTimer m_timer;
    QElapsedTimer m_clock;
    double m_position = 0;
    int m_next = 0; // the first event not yet on the screen
};

} // namespace breeze::console
