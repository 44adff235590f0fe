#include "DesktopRecordingPlayback.h"

#include "media/VideoFileReader.h"
#include "protocol/DesktopFrame.h"

#include <algorithm>

namespace breeze::console {

DesktopRecordingPlayback::DesktopRecordingPlayback(QObject* parent) : QObject(parent) {
    m_decoder.acceptAnySize(true); // a monitor that changed size mid-session changes the picture's size
    m_timer.setInterval(15);
    connect(&m_timer, &QTimer::timeout, this, &DesktopRecordingPlayback::advance);
    connect(&m_decoder, &VideoDecoder::decoded, this, [this](const DecodedPicture& decoded) {
        if (decoded.sequence < m_showFrom)
            return;
        m_picture = decoded.image;
        Q_EMIT pictureChanged(m_picture);
    });
    // A picture that does not decode leaves the last one standing; the next keyframe starts afresh.
    connect(&m_decoder, &VideoDecoder::failed, this, [this](int, quint64, const QString& why) {
        m_error = tr("A picture did not decode: %1").arg(why);
        Q_EMIT failed(m_error);
    });
}

DesktopRecordingPlayback::~DesktopRecordingPlayback() = default;

bool DesktopRecordingPlayback::load(const QByteArray& file) {
    try {
        m_file = file.toStdString();
        m_reader = media::VideoFileReader::openBytes(m_file);
    } catch (const std::exception& problem) {
        m_error = QString::fromUtf8(problem.what());
        return false;
    }
    m_size = QSize(m_reader->width(), m_reader->height());
    m_duration = m_reader->durationMillis();
    if (m_duration <= 0) {
        // A file that does not say how long it is: the last picture's time.
        while (const auto picture = m_reader->next())
            m_duration = std::max<qint64>(m_duration, picture->millis);
    }
    seek(0);
    return true;
}

bool DesktopRecordingPlayback::feedUntil(qint64 milliseconds) {
    for (;;) {
        if (!m_ahead) {
            auto picture = m_reader->next();
            if (!picture)
                return false;
            protocol::DesktopFrame frame;
            frame.sequence = ++m_sequence;
            frame.captureMicros = static_cast<std::uint64_t>(std::max<qint64>(0, picture->millis)) * 1000;
            frame.codec = m_reader->codec();
            frame.flags = picture->keyframe ? protocol::DesktopFrame::Keyframe : 0;
            frame.width = m_reader->width();
            frame.height = m_reader->height();
            frame.data = picture->data;
            m_ahead.emplace(Ahead{picture->millis, frame.sequence,
                                  QByteArray::fromStdString(protocol::encodeDesktopFrame(frame))});
        }
        if (m_ahead->millis > milliseconds)
            return true;
        m_decoder.submit(std::move(m_ahead->frame));
        m_lastFed = m_ahead->sequence;
        m_ahead.reset();
    }
}

void DesktopRecordingPlayback::seek(qint64 milliseconds) {
    if (!m_reader)
        return;
    m_position = std::clamp<qint64>(milliseconds, 0, m_duration);
    m_decoder.reset(0);
    m_ahead.reset();
    if (!m_reader->seek(m_position)) {
        // The file would not seek: from its start, which always works.
        m_reader = media::VideoFileReader::openBytes(m_file);
    }
    const quint64 before = m_lastFed;
    feedUntil(m_position);
    if (m_lastFed == before && m_ahead) {
        // Nothing before the time asked for (it lies before the first picture): the first picture shows.
        m_decoder.submit(std::move(m_ahead->frame));
        m_lastFed = m_ahead->sequence;
        m_ahead.reset();
    }
    // Only the last picture fed shows; those before it build up to it.
    m_showFrom = m_lastFed;
    if (playing()) {
        m_playedFrom = m_position;
        m_clock.start();
    }
    Q_EMIT positionChanged(m_position);
}

void DesktopRecordingPlayback::play() {
    if (!m_reader || playing())
        return;
    if (m_position >= m_duration)
        seek(0);
    m_playedFrom = m_position;
    m_clock.start();
    m_timer.start();
    Q_EMIT playingChanged(true);
}

void DesktopRecordingPlayback::pause() {
    if (!playing())
        return;
    m_timer.stop();
    Q_EMIT playingChanged(false);
}

void DesktopRecordingPlayback::setSpeed(int times) {
    if (playing()) {
        m_playedFrom = m_position;
        m_clock.start();
    }
    m_speed = std::clamp(times, 1, 16);
}

void DesktopRecordingPlayback::advance() {
    m_position = std::min(m_duration, m_playedFrom + m_clock.elapsed() * m_speed);
    feedUntil(m_position);
    Q_EMIT positionChanged(m_position);
    if (m_position >= m_duration)
        pause();
}

} // namespace breeze::console
