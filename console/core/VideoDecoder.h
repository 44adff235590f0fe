#pragma once

#include <QByteArray>
#include <QImage>
#include <QObject>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace breeze::console {

// A picture ready to draw, and what the statistics need to know of it.
struct DecodedPicture {
    int stream = 0;
    quint64 sequence = 0;
    quint64 captureMicros = 0; // the agent's clock
    quint32 hostMicros = 0;    // capture to sent, on the agent
    qint64 decodeMicros = 0;
    bool keyframe = false;
    bool refinement = false;
    QImage image; // RGB32, the stream's picture size
};

// Decodes desktop pictures (VP8 or H.264, with libavcodec) on a worker thread, in the order they came, with
// the low-delay settings (no frame threading, no reordering): a picture comes out as soon as its data is
// in. The GUI thread only converts nothing and waits for nothing; results come back as signals. A picture
// that does not decode is reported so the session can ask for a keyframe.
class VideoDecoder : public QObject {
    Q_OBJECT

public:
    explicit VideoDecoder(QObject* parent = nullptr);
    ~VideoDecoder() override;

    // A DesktopVideo payload (protocol/DesktopFrame.h) to decode.
    void submit(QByteArray frame);
    // Forgets a stream's decoder (a new stream, or a keyframe is coming after a loss).
    void reset(int stream);
    // Pictures waiting to be decoded.
    int queued() const { return m_queued.load(); }
    // Takes each picture at the size it decodes to, not its stream's (a recording whose monitor changed
    // size; the live viewer keeps to its stream's size).
    void acceptAnySize(bool any) { m_anySize = any; }

Q_SIGNALS:
    void decoded(const breeze::console::DecodedPicture& picture);
    void failed(int stream, quint64 sequence, const QString& why);

private:
    struct Job {
        QByteArray frame;
        int resetStream = -1;
    };
    void run();

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Job> m_jobs;
    bool m_stop = false;
    std::atomic<int> m_queued{0};
    std::atomic<bool> m_anySize{false};
    std::thread m_thread;
};

} // namespace breeze::console

Q_DECLARE_METATYPE(breeze::console::DecodedPicture)
