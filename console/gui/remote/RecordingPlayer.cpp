#include "remote/RecordingPlayer.h"

#include "remote/TerminalView.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSlider>
#include <QVBoxLayout>

namespace breeze::console {

namespace {
QString clockText(double seconds) {
    const int whole = static_cast<int>(seconds);
    return QStringLiteral("%1:%2").arg(whole / 60).arg(whole % 60, 2, 10, QLatin1Char('0'));
}
} // namespace

RecordingPlayer::RecordingPlayer(TerminalRecording recording, const QString& title, QWidget* parent)
    : QWidget(parent), m_recording(std::move(recording)), m_screen(m_recording.cols(), m_recording.rows()),
      m_view(new TerminalView(m_screen, this)), m_slider(new QSlider(Qt::Horizontal, this)),
      m_playButton(new QPushButton(tr("Play"), this)), m_speed(new QComboBox(this)), m_time(new QLabel(this)),
      m_find(new QLineEdit(this)), m_found(new QLabel(this)) {
    setWindowTitle(tr("Recording — %1").arg(title)); // the device's name, in a title bar: plain text
    m_slider->setRange(0, static_cast<int>(m_recording.duration() * 1000));
    for (const int speed : {1, 2, 4, 8})
        m_speed->addItem(QStringLiteral("%1×").arg(speed), speed);
    m_find->setPlaceholderText(tr("Find in the recording"));
    m_find->setClearButtonEnabled(true);
    auto* controls = new QHBoxLayout;
    controls->addWidget(m_playButton);
    controls->addWidget(m_slider, 1);
    controls->addWidget(m_time);
    controls->addWidget(m_speed);
    controls->addWidget(m_find);
    controls->addWidget(m_found);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_view, 1);
    layout->addLayout(controls);
    m_timer.setInterval(33);
    connect(&m_timer, &QTimer::timeout, this, &RecordingPlayer::advance);
    connect(m_playButton, &QPushButton::clicked, this, [this] { playing() ? pause() : play(); });
    connect(m_slider, &QSlider::sliderMoved, this, [this](int milliseconds) { seek(milliseconds / 1000.0); });
    connect(m_find, &QLineEdit::returnPressed, this,
            [this] { m_found->setText(findNext(m_find->text()) ? QString() : tr("Not found")); });
    resize(900, 600);
    seek(0);
}

void RecordingPlayer::seek(double seconds) {
    seconds = std::clamp(seconds, 0.0, m_recording.duration());
    const int until = m_recording.eventsUntil(seconds);
    if (seconds >= m_position && until >= m_next) {
        m_recording.play(m_screen, m_next, until); // forward: only what lies between
    } else {
        m_recording.seek(m_screen, seconds);
    }
    m_next = until;
    m_position = seconds;
    showPosition();
}

void RecordingPlayer::play() {
    if (m_position >= m_recording.duration())
        seek(0);
    m_clock.start();
    m_timer.start();
    m_playButton->setText(tr("Pause"));
}

void RecordingPlayer::pause() {
    m_timer.stop();
    m_playButton->setText(tr("Play"));
}

void RecordingPlayer::advance() {
    const double elapsed = static_cast<double>(m_clock.restart()) / 1000.0;
    seek(m_position + elapsed * m_speed->currentData().toInt());
    if (m_position >= m_recording.duration())
        pause();
}

bool RecordingPlayer::findNext(const QString& text) {
    const auto moments = m_recording.find(text);
    if (moments.isEmpty())
        return false;
    const auto after =
        std::find_if(moments.begin(), moments.end(), [this](double t) { return t > m_position; });
    seek(after == moments.end() ? moments.first() : *after);
    return true;
}

void RecordingPlayer::showPosition() {
    const QSignalBlocker quiet(m_slider);
    m_slider->setValue(static_cast<int>(m_position * 1000));
    m_time->setText(clockText(m_position) + QStringLiteral(" / ") + clockText(m_recording.duration()));
}

} // namespace breeze::console
