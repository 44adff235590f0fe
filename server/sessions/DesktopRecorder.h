#pragma once

#include "sessions/DesktopRecordingStore.h"

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
// seconds. Pictures before a stream's first keyframe cannot be decoded and are skipped; what the database
// cannot take for long is held up to a bound per session, then dropped and counted in the recording, never
// silently.
class DesktopRecorder {
public:
    explicit DesktopRecorder(ConnectionPool& pool);
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
    };
    struct Incoming {
        std::vector<Picture> pictures;
        std::size_t bytes = 0;
        std::uint64_t dropped = 0;
        bool ended = false;
    };
    // A segment being cut (kept by the flushing thread only); its seq is given when it is first stored.
    struct Segment {
        int stream = 0;
        std::vector<Picture> pictures;
        std::size_t bytes = 0;
        int seq = -1;
        bool stored = false; // stored as it is now
        Clock::time_point lastPicture;
    };
    struct Recording {
        bool begun = false; // its row exists and startedAt, nextSeq are known
        WallClock::time_point startedAt;
        std::map<int, int> nextSeq;
        std::map<int, Segment> open;   // per stream
        std::vector<Segment> complete; // cut, not stored yet, oldest first
        std::size_t completeBytes = 0;
        std::uint64_t dropped = 0; // bytes not recorded, not yet counted in the database
        bool ended = false;
    };

    void run();
    void cut(Recording& recording, std::vector<Picture> pictures);
    void close(Recording& recording, Segment& segment);
    bool store(const std::string& sessionId, Recording& recording, Segment& segment, bool complete);

    ConnectionPool& m_pool;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::map<std::string, Incoming> m_incoming;
    std::mutex m_flushing; // one flush at a time; the recordings below are its own
    std::map<std::string, Recording> m_recordings;
    std::thread m_thread;
};

} // namespace breeze::server
