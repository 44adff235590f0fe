#pragma once

#include "VideoDecoder.h"

#include <QElapsedTimer>
#include <QImage>
#include <QObject>
#include <QSize>
#include <QTimer>
#include <memory>
#include <optional>

namespace breeze::media {
class VideoFileReader;
}

namespace breeze::console {

// A recorded desktop session played back: the video file read with libavformat, its pictures decoded on
// the VideoDecoder's worker thread as they fall due, at 1× or faster. Seeking goes to the keyframe before
// the time asked for and decodes from there without showing the pictures on the way, so the picture shown
// is the one at that time.
class DesktopRecordingPlayback : public QObject {
    Q_OBJECT

public:
    explicit DesktopRecordingPlayback(QObject* parent = nullptr);
    ~DesktopRecordingPlayback() override;

    // The file's bytes; false, with error(), when they are not a desktop recording.
    bool load(const QByteArray& file);
    const QString& error() const { return m_error; }
    qint64 duration() const { return m_duration; } // milliseconds
    qint64 position() const { return m_position; }
    QSize size() const { return m_size; }
    bool playing() const { return m_timer.isActive(); }
    const QImage& picture() const { return m_picture; }

    void play();
    void pause();
    void seek(qint64 milliseconds);
    void setSpeed(int times);

Q_SIGNALS:
    void pictureChanged(const QImage& picture);
    void positionChanged(qint64 milliseconds);
    void playingChanged(bool playing);
    void failed(const QString& why);

private:
    void advance();
    // Hands the decoder every picture due by `milliseconds`; true while the file has more.
    bool feedUntil(qint64 milliseconds);

    VideoDecoder m_decoder;
    std::string m_file; // the recording's bytes (the reader reads them; a failed seek starts it again)
    std::unique_ptr<media::VideoFileReader> m_reader;
    struct Ahead {
        qint64 millis = 0;
        quint64 sequence = 0;
        QByteArray frame;
    };
    std::optional<Ahead> m_ahead; // read, not due yet
    QString m_error;
    QSize m_size;
    qint64 m_duration = 0;
    qint64 m_position = 0;
    quint64 m_sequence = 0; // of the last picture read
    quint64 m_lastFed = 0;  // of the last picture handed to the decoder
    quint64 m_showFrom = 0; // pictures before this are decoded on the way to a seek's target, not shown
    QImage m_picture;
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_playedFrom = 0;
    int m_speed = 1;
};

} // namespace breeze::console
