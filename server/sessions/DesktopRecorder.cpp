#include "sessions/DesktopRecorder.h"

#include "db/ConnectionPool.h"
#include "db/ScopedTransaction.h"
#include "media/VideoFileWriter.h"
#include "ops/JsonLogger.h"
#include "units/Units.h"

#include <algorithm>

namespace breeze::server {

namespace {
constexpr std::size_t kMaxIncomingBytes = 32 * kMiB; // per session, between two flushes
constexpr std::size_t kMaxSegmentBytes = 64 * kMiB;  // a stream that sends no keyframe is cut here anyway
constexpr std::size_t kMaxCompleteBytes = 64 * kMiB; // per session, while the database cannot take it
// A growing segment is stored once the screen has paused this long (when it moves, its next keyframe comes
// within seconds and stores it complete).
constexpr auto kPauseBeforeStoring = std::chrono::seconds(1);
} // namespace

DesktopRecorder::DesktopRecorder(ConnectionPool& pool) : m_pool(pool) {}

DesktopRecorder::~DesktopRecorder() {
    stop();
}

void DesktopRecorder::start() {
    m_thread = std::thread([this] { run(); });
}

void DesktopRecorder::stop() {
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping && !m_thread.joinable())
            return;
        m_stopping = true;
        for (auto& [id, incoming] : m_incoming)
            incoming.ended = true; // what is open is stored complete
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
    flush();
}

void DesktopRecorder::begin(const std::string& sessionId) {
    std::lock_guard lock(m_mutex);
    m_incoming[sessionId].ended = false;
}

void DesktopRecorder::picture(const std::string& sessionId, std::string_view payload) {
    const auto decoded = protocol::decodeDesktopFrame(payload);
    if (!decoded || decoded.frame->codec == protocol::DesktopCodec::Cursor)
        return;
    const protocol::DesktopFrame& frame = *decoded.frame;
    std::lock_guard lock(m_mutex);
    const auto it = m_incoming.find(sessionId);
    if (it == m_incoming.end())
        return;
    Incoming& incoming = it->second;
    if (incoming.bytes + frame.data.size() > kMaxIncomingBytes) {
        incoming.dropped += frame.data.size();
        return;
    }
    incoming.bytes += frame.data.size();
    incoming.pictures.push_back({frame.stream, frame.codec, frame.width, frame.height, frame.keyframe(),
                                 frame.captureMicros, WallClock::now(), std::string(frame.data)});
}

void DesktopRecorder::end(const std::string& sessionId) {
    {
        std::lock_guard lock(m_mutex);
        const auto it = m_incoming.find(sessionId);
        if (it == m_incoming.end())
            return;
        it->second.ended = true;
    }
    m_wake.notify_all();
}

void DesktopRecorder::run() {
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        m_wake.wait_for(lock, std::chrono::milliseconds(250));
        lock.unlock();
        flush();
        lock.lock();
    }
}

void DesktopRecorder::cut(Recording& recording, std::vector<Picture> pictures) {
    for (auto& picture : pictures) {
        Segment& segment = recording.open[picture.stream];
        segment.stream = picture.stream;
        if (!segment.pictures.empty()) {
            const Picture& first = segment.pictures.front();
            const bool sameKind = first.codec == picture.codec && first.width == picture.width &&
                                  first.height == picture.height;
            if (picture.keyframe || !sameKind || segment.bytes + picture.data.size() > kMaxSegmentBytes)
                close(recording, segment);
        }
        if (segment.pictures.empty() && !picture.keyframe) {
            // Nothing to build on: not decodable until the stream's next keyframe.
            recording.dropped += picture.data.size();
            continue;
        }
        segment.bytes += picture.data.size();
        segment.stored = false;
        segment.lastPicture = Clock::now();
        segment.pictures.push_back(std::move(picture));
    }
}

void DesktopRecorder::close(Recording& recording, Segment& segment) {
    if (segment.pictures.empty())
        return;
    const int stream = segment.stream;
    if (recording.completeBytes + segment.bytes > kMaxCompleteBytes) {
        recording.dropped += segment.bytes;
    } else {
        recording.completeBytes += segment.bytes;
        recording.complete.push_back(std::move(segment));
    }
    segment = Segment{};
    segment.stream = stream;
}

bool DesktopRecorder::store(const std::string& sessionId, Recording& recording, Segment& segment,
                            bool complete) {
    try {
        const Picture& first = segment.pictures.front();
        DesktopRecordingStore::Segment row;
        row.sessionId = sessionId;
        row.stream = segment.stream;
        row.seq = segment.seq >= 0 ? segment.seq : recording.nextSeq[segment.stream];
        row.codec = first.codec;
        row.width = first.width;
        row.height = first.height;
        row.startMillis = std::max<std::int64_t>(
            0, std::chrono::duration_cast<std::chrono::milliseconds>(first.arrived - recording.startedAt)
                   .count());
        row.complete = complete;
        {
            media::VideoFileWriter writer(first.codec, first.width, first.height, row.body);
            for (const auto& picture : segment.pictures) {
                const auto millis = static_cast<std::int64_t>(
                    (std::max(picture.captureMicros, first.captureMicros) - first.captureMicros) / 1000);
                writer.add(picture.data, millis, picture.keyframe);
                row.durationMillis = millis;
            }
            writer.finish();
            row.pictures = static_cast<int>(writer.pictures());
        }
        auto lease = m_pool.acquire();
        ScopedTransaction tx(*lease, SystemAccess{"record a desktop session"});
        DesktopRecordingStore(tx).put(row);
        tx.commit();
        if (segment.seq < 0) {
            segment.seq = row.seq;
            recording.nextSeq[segment.stream] = row.seq + 1;
        }
        segment.stored = true;
        return true;
    } catch (const std::exception& error) {
        logger().warning("could not store a desktop recording segment",
                         {{"session_id", sessionId}, {"stream", segment.stream}, {"error", error.what()}});
        return false;
    }
}

void DesktopRecorder::flush() {
    const std::lock_guard flushing(m_flushing);
    {
        std::lock_guard lock(m_mutex);
        for (auto it = m_incoming.begin(); it != m_incoming.end();) {
            Recording& recording = m_recordings[it->first];
            cut(recording, std::exchange(it->second.pictures, {}));
            recording.dropped += std::exchange(it->second.dropped, 0);
            it->second.bytes = 0;
            recording.ended = it->second.ended;
            if (recording.ended) {
                for (auto& [stream, segment] : recording.open)
                    close(recording, segment);
                it = m_incoming.erase(it);
            } else {
                ++it;
            }
        }
    }
    const auto now = Clock::now();
    for (auto it = m_recordings.begin(); it != m_recordings.end();) {
        const std::string& sessionId = it->first;
        Recording& recording = it->second;
        try {
            if (!recording.begun) {
                const auto began = WallClock::now();
                auto lease = m_pool.acquire();
                ScopedTransaction tx(*lease, SystemAccess{"record a desktop session"});
                // A session attached again on another node continues the same recording, on the same clock.
                const auto started = DesktopRecordingStore(tx).begin(
                    sessionId, std::chrono::duration<double>(began.time_since_epoch()).count());
                tx.commit();
                recording.startedAt = WallClock::time_point(std::chrono::duration_cast<WallClock::duration>(
                    std::chrono::duration<double>(started.startedAt)));
                recording.nextSeq = started.nextSeq;
                recording.begun = true;
            }
            if (recording.dropped > 0) {
                auto lease = m_pool.acquire();
                ScopedTransaction tx(*lease, SystemAccess{"record a desktop session"});
                DesktopRecordingStore(tx).addDropped(sessionId, recording.dropped);
                tx.commit();
                recording.dropped = 0;
            }
        } catch (const std::exception& error) {
            logger().warning("could not store a desktop recording",
                             {{"session_id", sessionId}, {"error", error.what()}});
            ++it;
            continue;
        }
        // Oldest first: a segment is numbered only once those before it are stored.
        while (!recording.complete.empty() && store(sessionId, recording, recording.complete.front(), true)) {
            recording.completeBytes -= recording.complete.front().bytes;
            recording.complete.erase(recording.complete.begin());
        }
        if (recording.complete.empty())
            for (auto& [stream, segment] : recording.open)
                if (!segment.pictures.empty() && !segment.stored &&
                    now - segment.lastPicture >= kPauseBeforeStoring)
                    store(sessionId, recording, segment, false);
        const bool empty =
            recording.complete.empty() &&
            std::ranges::all_of(recording.open, [](const auto& s) { return s.second.pictures.empty(); });
        if (recording.ended && empty && recording.dropped == 0)
            it = m_recordings.erase(it);
        else
            ++it;
    }
}

} // namespace breeze::server
