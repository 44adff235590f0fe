#include "sessions/DesktopRecorder.h"

#include "db/ConnectionPool.h"
#include "db/ScopedTransaction.h"
#include "media/AnnexB.h"
#include "media/VideoFileWriter.h"
#include "ops/JsonLogger.h"
#include "sessions/DesktopRecordingStore.h"
#include "units/Units.h"

#include <algorithm>

namespace breeze::server {

namespace {
// What holding a picture costs besides its data (its record, the vector's slot): tiny pictures count too.
constexpr std::size_t kPictureOverhead = 128;
constexpr std::size_t kMaxIncomingBytes = 32 * kMiB; // per session, between two flushes
constexpr std::size_t kMaxHeldBytes = 96 * kMiB;     // per session, cut but not stored for good
constexpr std::size_t kMaxHeldBytesAll = 512 * kMiB; // all sessions together
// A segment ends at a keyframe once it is this long (an agent sending nothing but keyframes makes segments of
// a few seconds, not one per picture), and anyway at these sizes: the pictures after wait for a keyframe.
constexpr auto kMinSegmentSpan = std::chrono::seconds(2);
constexpr std::size_t kMaxSegmentBytes = 16 * kMiB;
constexpr std::size_t kMaxSegmentPictures = 3000;
// A growing segment is stored once the screen has paused this long (when it moves, its next keyframe comes
// within seconds and stores it complete), and rewritten at most this often.
constexpr auto kPauseBeforeStoring = std::chrono::seconds(1);
constexpr auto kBetweenRewrites = std::chrono::seconds(5);
} // namespace

std::size_t DesktopRecorder::Picture::cost() const {
    return data.size() + kPictureOverhead;
}

DesktopRecorder::DesktopRecorder(ConnectionPool& pool, std::uint64_t maxRecordingBytes)
    : m_pool(pool), m_maxRecordingBytes(maxRecordingBytes) {}

DesktopRecorder::~DesktopRecorder() {
    stop();
}

void DesktopRecorder::start() {
    m_thread = std::thread([this] { run(); });
}

void DesktopRecorder::stop() {
    {
        std::lock_guard lock(m_mutex);
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
    if (!m_stopping)
        m_incoming[sessionId].ended = false;
}

void DesktopRecorder::picture(const std::string& sessionId, std::string_view payload) {
    const auto decoded = protocol::decodeDesktopFrame(payload);
    if (!decoded || decoded.frame->codec == protocol::DesktopCodec::Cursor)
        return;
    const protocol::DesktopFrame& frame = *decoded.frame;
    const std::size_t cost = frame.data.size() + kPictureOverhead;
    std::lock_guard lock(m_mutex);
    const auto it = m_incoming.find(sessionId);
    if (it == m_incoming.end())
        return;
    Incoming& incoming = it->second;
    if (incoming.bytes + cost > kMaxIncomingBytes || m_heldAll.load() + cost > kMaxHeldBytesAll) {
        incoming.dropped += frame.data.size();
        return;
    }
    incoming.bytes += cost;
    m_heldAll += cost;
    // An H.264 picture can start a segment only with the parameter sets a player needs to decode it.
    const bool keyframe = frame.keyframe() && (frame.codec != protocol::DesktopCodec::H264 ||
                                               !media::h264ParameterSets(frame.data).empty());
    incoming.pictures.push_back({frame.stream, frame.codec, frame.width, frame.height, keyframe,
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

void DesktopRecorder::release(Recording& recording, std::size_t bytes) {
    recording.heldBytes -= std::min(recording.heldBytes, bytes);
    m_heldAll -= std::min(m_heldAll.load(), bytes);
}

void DesktopRecorder::discard(Recording& recording, Segment& segment) {
    release(recording, segment.bytes);
    const int stream = segment.stream;
    segment = Segment{};
    segment.stream = stream;
}

void DesktopRecorder::cut(Recording& recording, std::vector<Picture> pictures) {
    for (auto& picture : pictures) {
        const std::size_t cost = picture.cost();
        if (recording.gone || recording.full || recording.heldBytes + cost > kMaxHeldBytes) {
            // Not kept: the stream's pictures after it cannot be decoded until its next keyframe.
            recording.dropped += picture.data.size();
            m_heldAll -= std::min(m_heldAll.load(), cost);
            close(recording, recording.open[picture.stream]);
            continue;
        }
        Segment& segment = recording.open[picture.stream];
        segment.stream = picture.stream;
        if (!segment.pictures.empty()) {
            const Picture& first = segment.pictures.front();
            const bool sameKind = first.codec == picture.codec && first.width == picture.width &&
                                  first.height == picture.height;
            const bool longEnough = picture.arrived - first.arrived >= kMinSegmentSpan;
            if (!sameKind || (picture.keyframe && longEnough) || segment.bytes + cost > kMaxSegmentBytes ||
                segment.pictures.size() >= kMaxSegmentPictures)
                close(recording, segment);
        }
        if (segment.pictures.empty() && !picture.keyframe) {
            // Nothing to build on: not decodable until the stream's next keyframe.
            recording.dropped += picture.data.size();
            m_heldAll -= std::min(m_heldAll.load(), cost);
            continue;
        }
        recording.heldBytes += cost;
        segment.bytes += cost;
        segment.stored = false;
        segment.lastPicture = Clock::now();
        segment.pictures.push_back(std::move(picture));
    }
}

void DesktopRecorder::close(Recording& recording, Segment& segment) {
    if (segment.pictures.empty())
        return;
    const int stream = segment.stream;
    recording.complete.push_back(std::move(segment));
    segment = Segment{};
    segment.stream = stream;
}

DesktopRecorder::Stored DesktopRecorder::store(const std::string& sessionId, Recording& recording,
                                               Segment& segment, bool complete) {
    const Picture& first = segment.pictures.front();
    DesktopRecordingStore::Segment row;
    row.sessionId = sessionId;
    row.stream = segment.stream;
    row.seq = segment.seq;
    row.codec = first.codec;
    row.width = first.width;
    row.height = first.height;
    row.startMillis = std::max<std::int64_t>(
        0,
        std::chrono::duration_cast<std::chrono::milliseconds>(first.arrived - recording.startedAt).count());
    row.complete = complete;
    try {
        media::VideoFileWriter writer(first.codec, first.width, first.height, row.body);
        for (const auto& picture : segment.pictures) {
            // Times from the agent's clock, kept in order: one going backwards does not reorder the file.
            const auto millis = static_cast<std::int64_t>(
                (std::max(picture.captureMicros, first.captureMicros) - first.captureMicros) / 1000);
            row.durationMillis = std::max(row.durationMillis, millis);
            writer.add(picture.data, row.durationMillis, picture.keyframe);
        }
        writer.finish();
        row.pictures = static_cast<int>(writer.pictures());
    } catch (const std::exception& error) {
        // Pictures the container refuses (what an agent sent is untrusted): this segment is left out.
        logger().warning("a desktop recording segment could not be written and is left out",
                         {{"session_id", sessionId}, {"stream", segment.stream}, {"error", error.what()}});
        recording.dropped += segment.bytes;
        return Stored::Dropped;
    }
    if (recording.storedBytes + row.body.size() > m_maxRecordingBytes) {
        logger().warning("a desktop recording reached its size limit; the rest of it is left out",
                         {{"session_id", sessionId}, {"limit_bytes", m_maxRecordingBytes}});
        recording.dropped += segment.bytes;
        recording.full = true;
        return Stored::Dropped;
    }
    try {
        auto lease = m_pool.acquire();
        ScopedTransaction tx(*lease, SystemAccess{"record a desktop session"});
        const auto put = DesktopRecordingStore(tx).put(row);
        tx.commit();
        if (!put) {
            recording.gone = true; // the recording was removed (retention): nothing more is stored
            recording.dropped = 0;
            return Stored::Dropped;
        }
        segment.seq = put->seq;
        recording.storedBytes = put->recordingBytes;
        segment.stored = true;
        segment.lastStored = Clock::now();
        return Stored::Yes;
    } catch (const std::exception& error) {
        logger().warning("could not store a desktop recording segment",
                         {{"session_id", sessionId}, {"stream", segment.stream}, {"error", error.what()}});
        return Stored::Retry;
    }
}

void DesktopRecorder::flush() {
    const std::lock_guard flushing(m_flushing);
    struct Taken {
        std::string sessionId;
        Incoming incoming;
    };
    std::vector<Taken> taken;
    {
        std::lock_guard lock(m_mutex);
        for (auto it = m_incoming.begin(); it != m_incoming.end();) {
            taken.push_back({it->first,
                             {std::exchange(it->second.pictures, {}), 0, std::exchange(it->second.dropped, 0),
                              it->second.ended}});
            it->second.bytes = 0;
            it = it->second.ended ? m_incoming.erase(it) : std::next(it);
        }
    }
    // Cut without the lock: the relay never waits for muxing or PostgreSQL.
    for (auto& [sessionId, incoming] : taken) {
        Recording& recording = m_recordings[sessionId];
        cut(recording, std::move(incoming.pictures));
        recording.dropped += incoming.dropped;
        recording.ended = incoming.ended;
        if (recording.ended)
            for (auto& [stream, segment] : recording.open)
                close(recording, segment);
    }
    const auto now = Clock::now();
    for (auto it = m_recordings.begin(); it != m_recordings.end();) {
        const std::string& sessionId = it->first;
        Recording& recording = it->second;
        try {
            if (!recording.begun && !recording.gone) {
                const auto began = WallClock::now();
                auto lease = m_pool.acquire();
                ScopedTransaction tx(*lease, SystemAccess{"record a desktop session"});
                // A session attached again after a restart or on another node continues the same recording,
                // on the same clock.
                const auto started = DesktopRecordingStore(tx).begin(
                    sessionId, std::chrono::duration<double>(began.time_since_epoch()).count());
                tx.commit();
                if (started) {
                    recording.startedAt =
                        WallClock::time_point(std::chrono::duration_cast<WallClock::duration>(
                            std::chrono::duration<double>(started->startedAt)));
                    recording.storedBytes = started->bytes;
                    recording.begun = true;
                } else {
                    recording.gone = true; // the session's record is gone: there is nowhere to store it
                }
            }
        } catch (const std::exception& error) {
            logger().warning("could not store a desktop recording",
                             {{"session_id", sessionId}, {"error", error.what()}});
            ++it;
            continue;
        }
        // Oldest first; a segment that cannot be written is left out and the next one goes on.
        while (!recording.complete.empty()) {
            Segment& segment = recording.complete.front();
            if (!recording.gone && !recording.full &&
                store(sessionId, recording, segment, true) == Stored::Retry)
                break;
            release(recording, segment.bytes);
            recording.complete.erase(recording.complete.begin());
        }
        if (recording.complete.empty() && !recording.gone && !recording.full)
            for (auto& [stream, segment] : recording.open)
                if (!segment.pictures.empty() && !segment.stored &&
                    now - segment.lastPicture >= kPauseBeforeStoring &&
                    (segment.seq < 0 || now - segment.lastStored >= kBetweenRewrites) &&
                    store(sessionId, recording, segment, false) == Stored::Dropped)
                    discard(recording, segment);
        if (recording.gone || recording.full)
            for (auto& [stream, segment] : recording.open)
                discard(recording, segment);
        // What was left out is said in the recording (after the segments: storing them can leave some out).
        if (recording.dropped > 0 && recording.begun && !recording.gone) {
            try {
                auto lease = m_pool.acquire();
                ScopedTransaction tx(*lease, SystemAccess{"record a desktop session"});
                DesktopRecordingStore(tx).addDropped(sessionId, recording.dropped);
                tx.commit();
                recording.dropped = 0;
            } catch (const std::exception& error) {
                logger().warning("could not count what a desktop recording left out",
                                 {{"session_id", sessionId}, {"error", error.what()}});
            }
        }
        const bool empty =
            recording.complete.empty() &&
            std::ranges::all_of(recording.open, [](const auto& s) { return s.second.pictures.empty(); });
        if (recording.ended && empty && (recording.dropped == 0 || recording.gone))
            it = m_recordings.erase(it);
        else
            ++it;
    }
}

} // namespace breeze::server
