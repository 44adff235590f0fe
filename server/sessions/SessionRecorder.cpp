#include "sessions/SessionRecorder.h"

#include "db/ConnectionPool.h"
#include "db/ScopedTransaction.h"
#include "ops/JsonLogger.h"
#include "units/Units.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

namespace breeze::server {

namespace {
constexpr std::size_t kMaxPendingBytes = 8 * kMiB; // per session, while the database cannot take it

// How many bytes at the end of `bytes` start a UTF-8 character that has not finished yet.
std::size_t unfinishedTail(std::string_view bytes) {
    for (std::size_t back = 1; back <= std::min<std::size_t>(3, bytes.size()); ++back) {
        const auto c = static_cast<unsigned char>(bytes[bytes.size() - back]);
        if ((c & 0xC0) == 0x80)
            continue; // a continuation byte: look further back
        const std::size_t length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        return length > back ? back : 0;
    }
    return 0;
}
} // namespace

SessionRecorder::SessionRecorder(ConnectionPool& pool, bool enabled) : m_pool(pool), m_enabled(enabled) {}

SessionRecorder::~SessionRecorder() {
    stop();
}

void SessionRecorder::start() {
    if (m_enabled)
        m_thread = std::thread([this] { run(); });
}

void SessionRecorder::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
    if (m_enabled)
        flush(); // what the last half second brought
}

void SessionRecorder::begin(const std::string& sessionId, const Tenant& tenant, int cols, int rows) {
    if (!m_enabled)
        return;
    std::lock_guard lock(m_mutex);
    auto [it, created] = m_recordings.try_emplace(sessionId);
    Recording& recording = it->second;
    recording.ended = false;
    if (created) {
        recording.tenant = tenant;
        recording.cols = cols;
        recording.rows = rows;
        recording.began = WallClock::now();
    }
}

void SessionRecorder::add(const std::string& sessionId, char type, std::string_view bytes, bool isInput) {
    if (!m_enabled)
        return;
    std::lock_guard lock(m_mutex);
    const auto it = m_recordings.find(sessionId);
    if (it == m_recordings.end())
        return;
    Recording& recording = it->second;
    if (isInput && !recording.echoOn)
        return; // typed while nothing was shown: a password, most likely
    std::string data;
    if (type == 'r') {
        data = bytes;
    } else {
        std::string& carry = isInput ? recording.carryIn : recording.carryOut;
        data = std::move(carry);
        data.append(bytes);
        const std::size_t tail = unfinishedTail(data);
        carry = data.substr(data.size() - tail);
        data.resize(data.size() - tail);
        if (data.empty())
            return;
    }
    if (recording.pendingBytes + data.size() > kMaxPendingBytes) {
        recording.dropped += data.size();
        return;
    }
    recording.pendingBytes += data.size();
    recording.pending.push_back({WallClock::now(), type, std::move(data)});
}

void SessionRecorder::output(const std::string& sessionId, std::string_view bytes) {
    add(sessionId, 'o', bytes, false);
}

void SessionRecorder::input(const std::string& sessionId, std::string_view bytes) {
    add(sessionId, 'i', bytes, true);
}

void SessionRecorder::resize(const std::string& sessionId, int cols, int rows) {
    add(sessionId, 'r', std::to_string(cols) + "x" + std::to_string(rows), false);
}

void SessionRecorder::echo(const std::string& sessionId, bool on) {
    std::lock_guard lock(m_mutex);
    if (const auto it = m_recordings.find(sessionId); it != m_recordings.end())
        it->second.echoOn = on;
}

void SessionRecorder::end(const std::string& sessionId) {
    {
        std::lock_guard lock(m_mutex);
        const auto it = m_recordings.find(sessionId);
        if (it == m_recordings.end())
            return;
        it->second.ended = true;
    }
    m_wake.notify_all();
}

void SessionRecorder::run() {
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        m_wake.wait_for(lock, std::chrono::milliseconds(500));
        lock.unlock();
        flush();
        lock.lock();
    }
}

void SessionRecorder::flush() {
    // Taken out under the lock, written without it: the relay never waits for PostgreSQL.
    struct Work {
        std::string sessionId;
        Recording state; // without its pending events' buffers moved back
        std::vector<Event> events;
        bool ended;
    };
    std::vector<Work> work;
    {
        std::lock_guard lock(m_mutex);
        for (auto& [id, recording] : m_recordings) {
            if (recording.pending.empty() && recording.stored && !recording.ended)
                continue;
            Work item{id, {}, std::move(recording.pending), recording.ended};
            item.state.tenant = recording.tenant;
            item.state.cols = recording.cols;
            item.state.rows = recording.rows;
            item.state.began = recording.began;
            item.state.stored = recording.stored;
            item.state.startedAt = recording.startedAt;
            item.state.nextSeq = recording.nextSeq;
            item.state.dropped = std::exchange(recording.dropped, 0);
            recording.pending.clear();
            recording.pendingBytes = 0;
            work.push_back(std::move(item));
        }
    }
    for (auto& item : work) {
        Recording& state = item.state;
        try {
            auto lease = m_pool.acquire();
            ScopedTransaction tx(*lease, SystemAccess{"record a terminal session"});
            if (!state.stored) {
                // A session attached again on another node continues the same recording, on the same clock.
                const nlohmann::json header{{"version", 2},
                                            {"width", state.cols},
                                            {"height", state.rows},
                                            {"timestamp", std::chrono::duration_cast<std::chrono::seconds>(
                                                              state.began.time_since_epoch())
                                                              .count()},
                                            {"env", {{"TERM", "xterm-256color"}}}};
                const auto row = tx.sql().exec_params1(
                    "WITH inserted AS (INSERT INTO session_recordings (session_id, partner_id, org_id, "
                    "site_id, header, "
                    "started_at) SELECT r.id, r.partner_id, r.org_id, r.site_id, $2::jsonb || "
                    "jsonb_build_object('title', "
                    "coalesce((SELECT d.hostname FROM devices d WHERE d.id = r.device_id), '')), "
                    "to_timestamp($3) FROM "
                    "remote_sessions r WHERE r.id = $1 ON CONFLICT (session_id) DO NOTHING RETURNING "
                    "started_at) "
                    "SELECT extract(epoch FROM coalesce((SELECT started_at FROM inserted), (SELECT "
                    "started_at FROM "
                    "session_recordings WHERE session_id = $1)))::float8 AS started, coalesce((SELECT "
                    "max(seq) + 1 FROM "
                    "session_recording_chunks WHERE session_id = $1), 0) AS next_seq",
                    item.sessionId, header.dump(),
                    std::chrono::duration<double>(state.began.time_since_epoch()).count());
                if (row["started"].is_null())
                    throw std::runtime_error("the session has no record");
                state.startedAt = WallClock::time_point(std::chrono::duration_cast<WallClock::duration>(
                    std::chrono::duration<double>(row["started"].as<double>())));
                state.nextSeq = row["next_seq"].as<int>();
                state.stored = true;
            }
            std::string body;
            for (const auto& event : item.events) {
                const double offset =
                    std::max(0.0, std::chrono::duration<double>(event.at - state.startedAt).count());
                body += nlohmann::json::array(
                            {std::round(offset * 1e6) / 1e6, std::string(1, event.type), event.data})
                            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
                body += '\n';
            }
            if (!body.empty() || state.dropped > 0) {
                if (!body.empty())
                    tx.sql().exec_params(
                        "INSERT INTO session_recording_chunks (session_id, seq, partner_id, org_id, "
                        "site_id, body) SELECT session_id, $2, partner_id, org_id, site_id, $3 FROM "
                        "session_recordings WHERE session_id = $1",
                        item.sessionId, state.nextSeq++, pqxx::binarystring(body));
                tx.sql().exec_params(
                    "UPDATE session_recordings SET bytes = bytes + $2, events = events + $3, "
                    "dropped_bytes = dropped_bytes + $4, last_at = now() WHERE session_id = $1",
                    item.sessionId, static_cast<long long>(body.size()),
                    static_cast<long long>(item.events.size()), static_cast<long long>(state.dropped));
            }
            tx.commit();
            std::lock_guard lock(m_mutex);
            const auto it = m_recordings.find(item.sessionId);
            if (it == m_recordings.end())
                continue;
            it->second.stored = true;
            it->second.startedAt = state.startedAt;
            it->second.nextSeq = state.nextSeq;
            if (item.ended && it->second.pending.empty())
                m_recordings.erase(it);
        } catch (const std::exception& error) {
            logger().warning("could not store a session recording",
                             {{"session_id", item.sessionId}, {"error", error.what()}});
            // Back in front of what came meanwhile, as far as the bound allows.
            std::lock_guard lock(m_mutex);
            const auto it = m_recordings.find(item.sessionId);
            if (it == m_recordings.end())
                continue;
            Recording& recording = it->second;
            recording.dropped += state.dropped;
            std::vector<Event> merged;
            std::size_t bytes = 0;
            for (auto* list : {&item.events, &recording.pending})
                for (auto& event : *list) {
                    if (bytes + event.data.size() > kMaxPendingBytes) {
                        recording.dropped += event.data.size();
                        continue;
                    }
                    bytes += event.data.size();
                    merged.push_back(std::move(event));
                }
            recording.pending = std::move(merged);
            recording.pendingBytes = bytes;
        }
    }
}

} // namespace breeze::server
