#pragma once

#include "LatencyHistogram.h"
#include "RelaySession.h"
#include "StreamMeter.h"
#include "VideoDecoder.h"

#include <QElapsedTimer>
#include <QHash>
#include <QImage>
#include <QRect>
#include <QTimer>
#include <QVector>
#include <map>

namespace breeze::console {

// A remote desktop as the console keeps it: the device's monitors, the picture streams this viewer asks for
// (decoded on a worker thread, acknowledged as they are, so the agent sends the newest picture rather than a
// backlog), the pointer drawn apart from the picture, and the technician's input sent back. A picture that
// is missing (a gap in the sequence) or does not decode brings a keyframe request instead of a broken
// picture. After a dropped connection it attaches again and asks for the same streams.
class DesktopSession : public RelaySession {
    Q_OBJECT

public:
    struct Monitor {
        QString name;
        QRect geometry;
        bool primary = false;
    };
    struct StreamWish {
        QString monitor = QStringLiteral("*");
        QString codec = QStringLiteral("vp8");
        QString quality = QStringLiteral("auto"); // auto, speed, balanced, quality
    };

    DesktopSession(ApiClient& api, QString deviceId, QObject* parent = nullptr);

    void start(const DesktopOptions& options);
    const QVector<Monitor>& monitors() const { return m_monitors; }
    bool viewOnly() const { return m_viewOnly; }
    QStringList codecs() const { return m_codecs; }

    // Shows a monitor ("*": all of them) in stream `stream`; asking again changes it.
    void showStream(int stream, const StreamWish& wish);
    void stopStream(int stream);
    StreamWish wish(int stream) const { return m_wishes.value(stream); }
    // Where the stream's picture lies on the remote desktop (empty until it started).
    QRect streamArea(int stream) const { return m_areas.value(stream); }
    void requestKeyframe(int stream);

    // Input, in the stream's picture coordinates; ignored in a view-only session.
    void pointer(int stream, QPoint at, Qt::MouseButtons buttons);
    void wheel(int stream, QPoint angleDelta);
    // A key by its keysym; `scanCode` pairs a release with its press (the release sends the same keysym).
    void key(quint32 scanCode, quint32 keysym, bool down);
    void releaseAll();
    void sendClipboard(const QString& text);

    // The viewer drew the stream's latest picture.
    void drawn(int stream) { m_meters[stream].drawn(); }
    const StreamMeter::Figures& figures(int stream) { return m_meters[stream].figures(); }
    const StreamMeter::Totals& totals(int stream) { return m_meters[stream].totals(); }
    // How the session went so far, over all its streams.
    DesktopQuality quality() const;
    // Ends the session, leaving how it went with the server first.
    void finish();

Q_SIGNALS:
    void layoutChanged();
    void streamStarted(int stream, QRect area);
    void streamFailed(int stream, const QString& why);
    void picture(int stream, const QImage& image);
    void cursorMoved(QPoint desktop);
    void cursorShaped(const QImage& shape, QPoint hotSpot);
    void clipboardReceived(const QString& text);
    void figuresChanged(int stream);

private:
    void onControl(const QJsonObject& control);
    void onData(int kind, const QByteArray& payload);
    void onDecoded(const DecodedPicture& decoded);
    void sendControl(const std::string& json);

    VideoDecoder m_decoder;
    DesktopOptions m_options;
    bool m_viewOnly = false;
    QVector<Monitor> m_monitors;
    QStringList m_codecs;
    QHash<int, StreamWish> m_wishes;
    QHash<int, QRect> m_areas;
    std::map<int, quint64> m_lastSequence;
    std::map<int, bool> m_awaitingKeyframe;
    std::map<int, StreamMeter> m_meters;
    QHash<quint32, quint32> m_pressed; // scan code -> keysym sent
    QTimer m_rollTimer;
    QElapsedTimer m_clock;
    // When each picture waiting to be decoded came, and what the agent took for it: its latency once decoded.
    struct Arrival {
        qint64 receivedMs = 0;
        quint32 hostMicros = 0;
    };
    std::map<std::pair<int, quint64>, Arrival> m_arrivals;
    LatencyHistogram m_latency;
    qint64 m_liveMillis = 0; // live before the current stretch
    qint64 m_liveSince = -1; // when the current live stretch began
    bool m_finished = false;
};

} // namespace breeze::console
