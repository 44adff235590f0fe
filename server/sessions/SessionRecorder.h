#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace breeze::server {

class ConnectionPool;

// Terminal sessions recorded in asciicast v2 (migration 0023): the relay hands over what passes (output,
// typed input, window sizes, whether the terminal echoes) without waiting, and a thread of its own appends it
// to PostgreSQL in chunks every half second, so a crash loses at most that. Typed input is left out while the
// terminal does not echo (a password prompt). What cannot be stored for long (the database down) is held up
// to a bound per session, then dropped and counted in the recording, never silently.
class SessionRecorder {
public:
    struct Tenant {
        std::string partnerId, orgId, siteId;
    };

    SessionRecorder(ConnectionPool& pool, bool enabled);
    ~SessionRecorder();

    void start();
    void stop();

    void begin(const std::string& sessionId, const Tenant& tenant, int cols, int rows);
    void output(const std::string& sessionId, std::string_view bytes);
    void input(const std::string& sessionId, std::string_view bytes);
    void resize(const std::string& sessionId, int cols, int rows);
    void echo(const std::string& sessionId, bool on);
    // The session ended: what waits is written and the recording forgotten here.
    void end(const std::string& sessionId);
    // Writes what waits now (the flusher does this every half second).
    void flush();

private:
    using WallClock = std::chrono::system_clock;
    struct Event {
        WallClock::time_point at;
        char type; // o, i, r
        std::string data;
    };
    struct Recording {
        Tenant tenant;
        int cols = 80;
        int rows = 24;
        WallClock::time_point began;
        std::vector<Event> pending;
        std::size_t pendingBytes = 0;
        std::uint64_t dropped = 0;
        std::string carryOut, carryIn; // an unfinished UTF-8 character at the end of the last piece
        bool echoOn = true;
        bool ended = false;
        bool stored = false; // its header row exists, startedAt and nextSeq are known
        WallClock::time_point startedAt;
        int nextSeq = 0;
    };

    void add(const std::string& sessionId, char type, std::string_view bytes, bool isInput);
    void run();

    ConnectionPool& m_pool;
    bool m_enabled;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::map<std::string, Recording> m_recordings;
    std::thread m_thread;
};

} // namespace breeze::server
