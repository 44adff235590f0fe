#include "DesktopSession.h"

#include "protocol/DesktopControl.h"
#include "protocol/DesktopFrame.h"
#include "protocol/DesktopInput.h"
#include "protocol/MessageFields.h"
#include "protocol/SessionMessages.h"
#include "protocol/StreamFrame.h"
#include "protocol/TerminalControl.h"

#include <QJsonDocument>

namespace breeze::console {

namespace {
constexpr int kMostQueuedPictures = 8;

std::uint8_t buttonsOf(Qt::MouseButtons buttons) {
    std::uint8_t bits = 0;
    if (buttons & Qt::LeftButton)
        bits |= protocol::DesktopInput::Left;
    if (buttons & Qt::MiddleButton)
        bits |= protocol::DesktopInput::Middle;
    if (buttons & Qt::RightButton)
        bits |= protocol::DesktopInput::Right;
    if (buttons & Qt::BackButton)
        bits |= protocol::DesktopInput::Back;
    if (buttons & Qt::ForwardButton)
        bits |= protocol::DesktopInput::Forward;
    return bits;
}

QImage cursorImage(const protocol::DesktopFrame& frame, const protocol::CursorShape& shape) {
    QImage image(frame.width, frame.height, QImage::Format_ARGB32_Premultiplied);
    const auto* pixels = reinterpret_cast<const unsigned char*>(shape.argb.data());
    for (int y = 0; y < frame.height; ++y) {
        auto* line = reinterpret_cast<QRgb*>(image.scanLine(y));
        for (int x = 0; x < frame.width; ++x, pixels += 4)
            line[x] = qRgba(pixels[1], pixels[2], pixels[3], pixels[0]);
    }
    return image;
}
} // namespace

DesktopSession::DesktopSession(ApiClient& api, QString deviceId, QObject* parent)
    : RelaySession(api, std::move(deviceId), protocol::initialWindow(protocol::SessionKind::Desktop),
                   parent) {
    connect(&link(), &RelayLink::dataReceived, this, &DesktopSession::onData);
    connect(&link(), &RelayLink::controlReceived, this, &DesktopSession::onControl);
    connect(&link(), &RelayLink::closed, this, [this](const QString& reason) {
        m_lastSequence.clear();
        lost(reason);
    });
    connect(&m_decoder, &VideoDecoder::decoded, this, &DesktopSession::onDecoded);
    connect(&m_decoder, &VideoDecoder::failed, this, [this](int stream, quint64, const QString&) {
        m_meters[stream].dropped();
        requestKeyframe(stream);
    });
    m_clock.start();
    connect(this, &RelaySession::stateChanged, this, [this](State now) {
        if (now == State::Live && m_liveSince < 0) {
            m_liveSince = m_clock.elapsed();
        } else if (now != State::Live && m_liveSince >= 0) {
            m_liveMillis += m_clock.elapsed() - m_liveSince;
            m_liveSince = -1;
        }
    });
    m_rollTimer.setInterval(250);
    connect(&m_rollTimer, &QTimer::timeout, this, [this] {
        for (auto& [stream, meter] : m_meters)
            if (meter.roll(m_clock.elapsed()))
                Q_EMIT figuresChanged(stream);
    });
    m_rollTimer.start();
}

void DesktopSession::start(const DesktopOptions& options) {
    m_options = options;
    begin(tr("Opening the desktop…"), [this](SessionClient& client, SessionClient::Done done) {
        client.openDesktop(deviceId(), m_options, std::move(done));
    });
}

void DesktopSession::sendControl(const std::string& json) {
    // Already the message's bytes: sent as they are, not parsed into a QJsonObject to be written out again.
    link().send(static_cast<int>(protocol::StreamKind::SessionControl), QByteArray::fromStdString(json));
}

void DesktopSession::showStream(int stream, const StreamWish& wish) {
    m_wishes.insert(stream, wish);
    m_areas.remove(stream);
    m_lastSequence.erase(stream);
    m_decoder.reset(stream);
    if (state() != State::Live)
        return; // asked for once the desktop is there
    protocol::DesktopStreamRequest request;
    request.stream = stream;
    request.monitor = wish.monitor.toStdString();
    request.codec = wish.codec.toStdString();
    request.quality = protocol::desktopQualityNamed(wish.quality.toStdString())
                          .value_or(protocol::DesktopQuality::Automatic);
    sendControl(request.encode());
}

void DesktopSession::stopStream(int stream) {
    m_wishes.remove(stream);
    m_areas.remove(stream);
    if (state() == State::Live)
        sendControl(protocol::DesktopStreamStop{stream}.encode());
}

void DesktopSession::requestKeyframe(int stream) {
    m_awaitingKeyframe[stream] = true;
    m_decoder.reset(stream);
    if (state() == State::Live)
        sendControl(protocol::DesktopKeyframeRequest{stream}.encode());
}

void DesktopSession::onControl(const QJsonObject& object) {
    const std::string text = QJsonDocument(object).toJson(QJsonDocument::Compact).toStdString();
    try {
        const auto control = protocol::decodeSessionControl(text);
        if (const auto layout = protocol::DesktopLayout::from(control)) {
            m_monitors.clear();
            for (const auto& monitor : layout->monitors)
                m_monitors.push_back({QString::fromStdString(monitor.name),
                                      QRect(monitor.x, monitor.y, monitor.width, monitor.height),
                                      monitor.primary});
            m_codecs.clear();
            for (const auto& codec : layout->codecs)
                m_codecs << QString::fromStdString(codec);
            m_viewOnly = layout->viewOnly;
            setState(State::Live);
            // After a reconnect the agent has no streams: ask for what this viewer shows.
            for (auto it = m_wishes.cbegin(); it != m_wishes.cend(); ++it)
                showStream(it.key(), it.value());
            Q_EMIT layoutChanged();
        } else if (const auto started = protocol::DesktopStreamState::from(control)) {
            if (started->error.empty()) {
                const QRect area(started->x, started->y, started->width, started->height);
                m_areas.insert(started->stream, area);
                Q_EMIT streamStarted(started->stream, area);
            } else {
                m_areas.remove(started->stream);
                Q_EMIT streamFailed(started->stream, QString::fromStdString(started->error));
            }
        } else if (const auto stats = protocol::DesktopStreamStats::from(control)) {
            m_meters[stats->stream].agentReport(stats->targetKbps, stats->roundTripMs, stats->skipped);
        } else if (const auto cursor = protocol::DesktopCursor::from(control)) {
            Q_EMIT cursorMoved(QPoint(cursor->x, cursor->y));
        } else if (const auto clipboard = protocol::DesktopClipboard::from(control)) {
            Q_EMIT clipboardReceived(QString::fromStdString(clipboard->text));
        } else if (object.value(QStringLiteral("type")).toString() == QStringLiteral("closed")) {
            setState(State::Ended, object.value(QStringLiteral("reason")).toString());
        }
    } catch (const protocol::MessageError&) {
        // A malformed message from the device changes nothing here.
    }
}

void DesktopSession::onData(int kind, const QByteArray& payload) {
    link().consumed(payload.size());
    if (kind != static_cast<int>(protocol::StreamKind::DesktopVideo))
        return;
    const auto parsed = protocol::decodeDesktopFrame(std::string_view(payload.constData(), payload.size()));
    if (!parsed)
        return;
    const auto& frame = *parsed.frame;
    if (frame.codec == protocol::DesktopCodec::Cursor) {
        if (const auto shape = protocol::cursorShapeOf(frame))
            Q_EMIT cursorShaped(cursorImage(frame, *shape), QPoint(shape->hotX, shape->hotY));
        return;
    }
    if (!m_wishes.contains(frame.stream))
        return; // a stream this viewer stopped
    m_meters[frame.stream].received(payload.size(), frame.hostMicros);
    // A picture after a missing one would decode wrong: drop it and ask for a keyframe (once).
    const auto last = m_lastSequence.find(frame.stream);
    const bool gap = last != m_lastSequence.end() && frame.sequence != last->second + 1;
    if (frame.keyframe()) {
        m_awaitingKeyframe[frame.stream] = false;
    } else if (gap || m_awaitingKeyframe[frame.stream]) {
        m_meters[frame.stream].dropped();
        if (!m_awaitingKeyframe[frame.stream])
            requestKeyframe(frame.stream);
        m_lastSequence[frame.stream] = frame.sequence;
        return;
    }
    m_lastSequence[frame.stream] = frame.sequence;
    // An agent that sends faster than this computer decodes (it should wait for acknowledgements) does not
    // get to pile pictures up here: the backlog is dropped and the stream starts again from a keyframe.
    if (m_decoder.queued() >= kMostQueuedPictures) {
        m_meters[frame.stream].dropped();
        requestKeyframe(frame.stream);
        return;
    }
    m_arrivals[{frame.stream, frame.sequence}] = {m_clock.elapsed(), frame.hostMicros};
    while (m_arrivals.size() > 64) // pictures that never came back from the decoder: the oldest goes
        m_arrivals.erase(
            std::min_element(m_arrivals.begin(), m_arrivals.end(), [](const auto& a, const auto& b) {
                return a.second.receivedMs < b.second.receivedMs;
            }));
    m_decoder.submit(payload);
}

DesktopQuality DesktopSession::quality() const {
    DesktopQuality quality;
    const qint64 live = m_liveMillis + (m_liveSince >= 0 ? m_clock.elapsed() - m_liveSince : 0);
    quality.seconds = static_cast<double>(live) / 1000.0;
    quality.codec = m_wishes.contains(0) ? m_wishes.value(0).codec
                    : m_wishes.isEmpty() ? QString()
                                         : m_wishes.cbegin().value().codec;
    qint64 decodeMicros = 0;
    for (const auto& [stream, meter] : m_meters) {
        const auto& totals = meter.totals();
        quality.received += totals.received;
        quality.decoded += totals.decoded;
        quality.dropped += totals.dropped;
        quality.bytes += totals.bytes;
        decodeMicros += totals.decodeMicros;
        quality.roundTripMs = std::max(quality.roundTripMs, meter.roundTripMs());
    }
    if (quality.seconds > 0) {
        quality.fps = static_cast<double>(quality.decoded) / quality.seconds;
        quality.kbps = static_cast<double>(quality.bytes) * 8 / 1000 / quality.seconds;
    }
    quality.decodeMs = quality.decoded > 0
                           ? static_cast<double>(decodeMicros) / 1000.0 / static_cast<double>(quality.decoded)
                           : 0;
    quality.latencyP50 = m_latency.percentile(0.5);
    quality.latencyP95 = m_latency.percentile(0.95);
    quality.latencyP99 = m_latency.percentile(0.99);
    return quality;
}

void DesktopSession::finish() {
    if (m_finished)
        return;
    m_finished = true;
    const DesktopQuality summary = quality();
    if (!sessionId().isEmpty() && summary.received > 0)
        client().reportQuality(sessionId(), summary, [](const QString&) {
            // Best effort: a session whose summary did not arrive simply shows none.
        });
    close();
}

void DesktopSession::onDecoded(const DecodedPicture& decoded) {
    if (!m_wishes.contains(decoded.stream))
        return;
    m_meters[decoded.stream].decoded(decoded.decodeMicros);
    if (const auto arrival = m_arrivals.find({decoded.stream, decoded.sequence});
        arrival != m_arrivals.end()) {
        // Capture to decoded: the agent's own time, half the round trip it measured, and the time here.
        m_latency.add(arrival->second.hostMicros / 1000.0 + m_meters[decoded.stream].roundTripMs() / 2 +
                      static_cast<double>(m_clock.elapsed() - arrival->second.receivedMs));
        m_arrivals.erase(arrival);
    }
    if (state() == State::Live)
        sendControl(protocol::DesktopAck{decoded.stream, decoded.sequence,
                                         static_cast<int>(decoded.decodeMicros), m_decoder.queued()}
                        .encode());
    Q_EMIT picture(decoded.stream, decoded.image);
}

void DesktopSession::pointer(int stream, QPoint at, Qt::MouseButtons buttons) {
    if (m_viewOnly || state() != State::Live || !m_areas.contains(stream))
        return;
    const QRect area = m_areas.value(stream);
    const int x = std::clamp(at.x(), 0, area.width() - 1);
    const int y = std::clamp(at.y(), 0, area.height() - 1);
    link().send(static_cast<int>(protocol::StreamKind::DesktopInput),
                QByteArray::fromStdString(protocol::encodeDesktopInput(
                    protocol::DesktopInput::pointer(stream, x, y, buttonsOf(buttons)))));
}

void DesktopSession::wheel(int stream, QPoint angleDelta) {
    if (m_viewOnly || state() != State::Live)
        return;
    const auto clampDelta = [](int value) { return std::clamp(value, -32768, 32767); };
    link().send(static_cast<int>(protocol::StreamKind::DesktopInput),
                QByteArray::fromStdString(protocol::encodeDesktopInput(protocol::DesktopInput::wheel(
                    stream, clampDelta(angleDelta.x()), clampDelta(angleDelta.y())))));
}

void DesktopSession::key(quint32 scanCode, quint32 keysym, bool down) {
    if (m_viewOnly || state() != State::Live)
        return;
    if (down) {
        if (keysym == 0 || keysym > protocol::DesktopInput::kMaxKeysym)
            return;
        m_pressed.insert(scanCode, keysym);
    } else {
        // The release names the key that went down, whatever the modifiers make of it now.
        keysym = m_pressed.take(scanCode);
        if (keysym == 0)
            return;
    }
    link().send(
        static_cast<int>(protocol::StreamKind::DesktopInput),
        QByteArray::fromStdString(protocol::encodeDesktopInput(protocol::DesktopInput::key(keysym, down))));
}

void DesktopSession::releaseAll() {
    m_pressed.clear();
    if (m_viewOnly || state() != State::Live)
        return;
    link().send(
        static_cast<int>(protocol::StreamKind::DesktopInput),
        QByteArray::fromStdString(protocol::encodeDesktopInput(protocol::DesktopInput::releaseAll())));
}

void DesktopSession::sendClipboard(const QString& text) {
    const std::string utf8 = text.toStdString();
    if (m_viewOnly || state() != State::Live || utf8.empty() || utf8.size() > protocol::kMaxClipboardBytes)
        return;
    // Escaping can make JSON larger than the text: what does not fit one control message is not sent.
    const std::string control = protocol::DesktopClipboard{utf8}.encode();
    if (control.size() <= protocol::kMaxSessionControlBytes)
        sendControl(control);
}

} // namespace breeze::console
