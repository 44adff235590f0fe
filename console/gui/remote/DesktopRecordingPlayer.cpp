#include "remote/DesktopRecordingPlayer.h"

#include "remote/PainterSurface.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QVBoxLayout>

namespace breeze::console {

namespace {
QString clockText(qint64 milliseconds) {
    const qint64 seconds = milliseconds / 1000;
    return QStringLiteral("%1:%2").arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0'));
}
} // namespace

DesktopRecordingPlayer::DesktopRecordingPlayer(std::unique_ptr<DesktopRecordingPlayback> playback,
                                               const QString& title, QWidget* parent)
    : QWidget(parent), m_playback(std::move(playback)), m_surface(new PainterSurface(this)),
      m_slider(new QSlider(Qt::Horizontal, this)), m_playButton(new QPushButton(tr("Play"), this)),
      m_speed(new QComboBox(this)), m_time(new QLabel(this)), m_problem(new QLabel(this)) {
    setWindowTitle(tr("Desktop recording — %1").arg(title)); // the device's name, in a title bar: plain text
    m_time->setTextFormat(Qt::PlainText);
    m_problem->setTextFormat(Qt::PlainText);
    m_problem->hide();
    m_slider->setRange(0, static_cast<int>(std::min<qint64>(m_playback->duration(), INT_MAX)));
    for (const int speed : {1, 2, 4, 8})
        m_speed->addItem(QStringLiteral("%1×").arg(speed), speed);
    auto* controls = new QHBoxLayout;
    controls->addWidget(m_playButton);
    controls->addWidget(m_slider, 1);
    controls->addWidget(m_time);
    controls->addWidget(m_speed);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_surface, 1);
    layout->addWidget(m_problem);
    layout->addLayout(controls);
    connect(m_playButton, &QPushButton::clicked, this,
            [this] { m_playback->playing() ? m_playback->pause() : m_playback->play(); });
    connect(m_slider, &QSlider::sliderMoved, m_playback.get(), &DesktopRecordingPlayback::seek);
    connect(m_speed, &QComboBox::currentIndexChanged, this,
            [this] { m_playback->setSpeed(m_speed->currentData().toInt()); });
    connect(m_playback.get(), &DesktopRecordingPlayback::pictureChanged, this,
            &DesktopRecordingPlayer::showPicture);
    connect(m_playback.get(), &DesktopRecordingPlayback::positionChanged, this,
            &DesktopRecordingPlayer::showPosition);
    connect(m_playback.get(), &DesktopRecordingPlayback::failed, this, [this](const QString& why) {
        m_problem->setText(why);
        m_problem->show();
    });
    connect(m_playback.get(), &DesktopRecordingPlayback::playingChanged, this,
            [this](bool playing) { m_playButton->setText(playing ? tr("Pause") : tr("Play")); });
    const QSize size = m_playback->size();
    resize(std::clamp(size.width(), 640, 1280), std::clamp(size.height() + 60, 400, 860));
    showPosition();
}

DesktopRecordingPlayer::~DesktopRecordingPlayer() = default;

void DesktopRecordingPlayer::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    showPicture();
}

void DesktopRecordingPlayer::showPicture() {
    const QImage& picture = m_playback->picture();
    if (picture.isNull())
        return;
    // Fitted, the proportions kept, in the middle.
    const QSize fitted = picture.size().scaled(m_surface->size(), Qt::KeepAspectRatio);
    const QRect target(
        QPoint((m_surface->width() - fitted.width()) / 2, (m_surface->height() - fitted.height()) / 2),
        fitted);
    m_surface->showPicture(picture, target);
}

void DesktopRecordingPlayer::showPosition() {
    const QSignalBlocker quiet(m_slider);
    m_slider->setValue(static_cast<int>(std::min<qint64>(m_playback->position(), INT_MAX)));
    m_time->setText(clockText(m_playback->position()) + QStringLiteral(" / ") +
                    clockText(m_playback->duration()));
}

} // namespace breeze::console
