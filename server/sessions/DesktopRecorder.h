#pragma once

#include "protocol/DesktopFrame.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace breeze::server {

class ConnectionPool;

// Desktop sessions recorded as they are relayed (migration 0026). The relay hands over each picture without
// waiting; a thread of its own cuts each stream into segments at its keyframes (the agent sends one every few
// seconds while a session is recorded), muxes each segment into a complete video file and stores it. A
// segment still growing is stored once the screen pauses for a second, so a crash loses at most the last
// seconds. Everything an agent sends is untrusted: pictures before a stream's first keyframe (or an H.264
// "keyframe" without parameter sets) cannot be decoded and are skipped, a segment that cannot be muxed is
// dropped, and what is held per session, for all sessions and per recording is bounded. What is left out is
// counted in the recording's dropped_bytes, never silently.
class DesktopRecorder {
public:
    // `maxRecordingBytes`: one recording never grows past this (the rest of it is dropped and counted), so
    // one device cannot push everyone else's recordings out of the retention budget.
    DesktopRecorder(ConnectionPool& pool, std::uint64_t maxRecordingBytes);
    ~DesktopRecorder();
    DesktopRecorder(const DesktopRecorder&) = delete;
    DesktopRecorder& operator=(const DesktopRecorder&) = delete;

    void start();
    void stop();

    void begin(const std::string& sessionId);
    // A DesktopVideo payload as the agent sent it (cursor shapes are not recorded).
    void picture(const std::string& sessionId, std::string_view payload);
    // The session ended or detached: what it has is stored, complete.
    void end(const std::string& sessionId);
    // Cuts and stores what waits now (the thread does this a few times a second).
    void flush();
    // Bytes of pictures taken but not stored yet, over all sessions (diagnostics, tests).
    std::size_t heldBytes() const { return m_heldAll.load(); }

private:
    using Clock = std::chrono::steady_clock;
    using WallClock = std::chrono::system_clock;
    struct Picture {
        int stream = 0;
        protocol::DesktopCodec codec = protocol::DesktopCodec::Vp8;
        int width = 0;
        int height = 0;
        bool keyframe = false;
        std::uint64_t captureMicros = 0;
        WallClock::time_point arrived;
        std::string data;
        std::size_t cost() const;
    };
    struct Incoming {
        std::vector<Picture> pictures;
        std::size_t bytes = 0;
        std::uint64_t dropped = 0;
        bool ended = false;
    };
    // A segment being cut (kept by the flushing thread only); its seq is given by the database when it is
    // first stored.
    struct Segment {
        int stream = 0;
        std::vector<Picture> pictures;
        std::size_t bytes = 0;
        int seq = -1;
        bool stored = false; // stored as it is now
        Clock::time_point lastPicture;
        Clock::time_point lastStored;
    };
    struct Recording {
        bool begun = false; // its row exists and startedAt is known
        WallClock::time_point startedAt;
        std::uint64_t storedBytes = 0;
        std::map<int, Segment> open;   // per stream
        std::vector<Segment> complete; // cut, not stored yet, oldest first
        std::size_t heldBytes = 0;     // in open and complete
        std::uint64_t dropped = 0;     // bytes not recorded, not yet counted in the database
        bool ended = false;
        bool gone = false; // its session or recording row went away: nothing more is stored
        bool full = false; // it reached its size limit: the rest is counted, not stored
    };
    enum class Stored { Yes, Retry, Dropped };

    void run();
    void cut(Recording& recording, std::vector<Picture> pictures);
    void close(Recording& recording, Segment& segment);
    void release(Recording& recording, std::size_t bytes);
    void discard(Recording& recording, Segment& segment);
    Stored store(const std::string& sessionId, Recording& recording, Segment& segment, bool complete);

    ConnectionPool& m_pool;
    const std::uint64_t m_maxRecordingBytes;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::map<std::string, Incoming> m_incoming;
    std::atomic<std::size_t> m_heldAll{0};
    std::mutex m_flushing; // one flush at a time; the recordings below are its own
    std::map<std::string, Recording> m_recordings;
    std::thread m_thread;
};

} // namespace breeze::server
