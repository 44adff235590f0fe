#include "sessions/DesktopRecordingStore.h"

#include "db/ScopedTransaction.h"
#include "media/VideoFileReader.h"
#include "media/VideoFileWriter.h"

#include <pqxx/pqxx>

namespace breeze::server {

namespace {
std::string bodyOf(const pqxx::field& field) {
    const pqxx::binarystring body(field);
    return {reinterpret_cast<const char*>(body.data()), body.size()};
}
} // namespace

std::optional<DesktopRecordingStore::Started> DesktopRecordingStore::begin(const std::string& sessionId,
                                                                           double startedAt) {
    const auto row = m_tx.sql().exec_params1(
        "WITH inserted AS (INSERT INTO session_recordings (session_id, partner_id, org_id, site_id, header, "
        "started_at) SELECT r.id, r.partner_id, r.org_id, r.site_id, jsonb_build_object('kind', 'desktop', "
        "'title', coalesce((SELECT d.hostname FROM devices d WHERE d.id = r.device_id), '')), "
        "to_timestamp($2) "
        "FROM remote_sessions r WHERE r.id = $1 ON CONFLICT (session_id) DO NOTHING RETURNING started_at, "
        "bytes) "
        "SELECT extract(epoch FROM coalesce((SELECT started_at FROM inserted), s.started_at))::float8 AS "
        "started, "
        "coalesce((SELECT bytes FROM inserted), s.bytes) AS bytes FROM (SELECT 1) one LEFT JOIN "
        "session_recordings s ON s.session_id = $1",
        sessionId, startedAt);
    if (row["started"].is_null())
        return std::nullopt;
    return Started{row["started"].as<double>(), row["bytes"].as<std::uint64_t>()};
}

std::optional<DesktopRecordingStore::Put> DesktopRecordingStore::put(const Segment& segment) {
    const std::string codec = protocol::desktopCodecName(segment.codec);
    long long had = 0;
    if (segment.seq >= 0) {
        // A newer version of a segment stored before (locked: its length decides the recording's bytes).
        const auto before = m_tx.sql().exec_params("SELECT octet_length(body)::bigint AS bytes FROM "
                                                   "desktop_recording_segments WHERE session_id = $1 "
                                                   "AND stream = $2 AND seq = $3 FOR UPDATE",
                                                   segment.sessionId, segment.stream, segment.seq);
        had = before.empty() ? 0 : before[0]["bytes"].as<long long>();
    }
    int seq = -1;
    for (int attempt = 0; seq < 0; ++attempt) {
        // A new segment takes the next number of its stream; another node taking it first makes this insert
        // a no-op, and the next number is tried.
        const auto stored = m_tx.sql().exec_params(
            "INSERT INTO desktop_recording_segments (session_id, stream, seq, partner_id, org_id, site_id, "
            "codec, "
            "width, height, start_ms, duration_ms, pictures, complete, body) SELECT session_id, $2, CASE "
            "WHEN $3 "
            ">= 0 THEN $3 ELSE (SELECT coalesce(max(seq) + 1, 0) FROM desktop_recording_segments WHERE "
            "session_id = $1 AND stream = $2) END, partner_id, org_id, site_id, $4, $5, $6, $7, $8, $9, $10, "
            "$11 "
            "FROM session_recordings WHERE session_id = $1 ON CONFLICT (session_id, stream, seq) DO UPDATE "
            "SET "
            "codec = excluded.codec, width = excluded.width, height = excluded.height, start_ms = "
            "excluded.start_ms, duration_ms = excluded.duration_ms, pictures = excluded.pictures, complete = "
            "excluded.complete, body = excluded.body WHERE $3 >= 0 RETURNING seq",
            segment.sessionId, segment.stream, segment.seq, codec, segment.width, segment.height,
            static_cast<long long>(segment.startMillis), static_cast<long long>(segment.durationMillis),
            segment.pictures, segment.complete, pqxx::binarystring(segment.body));
        if (!stored.empty()) {
            seq = stored[0]["seq"].as<int>();
        } else if (m_tx.sql()
                       .exec_params("SELECT 1 FROM session_recordings WHERE session_id = $1",
                                    segment.sessionId)
                       .empty()) {
            return std::nullopt;
        } else if (attempt >= 8) {
            throw std::runtime_error("could not number a recorded segment");
        }
    }
    const auto total = m_tx.sql().exec_params1(
        "UPDATE session_recordings SET bytes = bytes + $2, events = events + $3, last_at = now() WHERE "
        "session_id = $1 RETURNING bytes",
        segment.sessionId, static_cast<long long>(segment.body.size()) - had, segment.seq < 0 ? 1 : 0);
    return Put{seq, total["bytes"].as<std::uint64_t>()};
}

void DesktopRecordingStore::addDropped(const std::string& sessionId, std::uint64_t bytes) {
    m_tx.sql().exec_params(
        "UPDATE session_recordings SET dropped_bytes = dropped_bytes + $2 WHERE session_id = $1", sessionId,
        static_cast<long long>(bytes));
}

std::optional<protocol::DesktopCodec>
DesktopRecordingStore::writeVideo(const std::string& sessionId, std::optional<int> stream, std::FILE* out) {
    const auto first =
        m_tx.sql().exec_params("SELECT stream, codec, width, height FROM desktop_recording_segments WHERE "
                               "session_id = $1 AND ($2 < 0 OR "
                               "stream = $2) ORDER BY stream, seq LIMIT 1",
                               sessionId, stream.value_or(-1));
    if (first.empty())
        return std::nullopt;
    const int chosen = first[0]["stream"].as<int>();
    const auto codec = protocol::desktopCodecNamed(first[0]["codec"].as<std::string>());
    if (!codec)
        throw std::runtime_error("a recorded segment names an unknown codec");
    media::VideoFileWriter writer(*codec, first[0]["width"].as<int>(), first[0]["height"].as<int>(), out);
    std::int64_t lastMillis = -1;
    std::optional<std::int64_t> firstStart; // the file starts at its first picture
    // A segment at a time: a long recording never sits in memory whole. Each starts with a keyframe, so the
    // pictures follow each other as they were sent, at the times their segments say.
    for (int from = 0;;) {
        const auto rows =
            m_tx.sql().exec_params("SELECT seq, start_ms, codec, body FROM desktop_recording_segments WHERE "
                                   "session_id = $1 AND stream = "
                                   "$2 AND seq >= $3 ORDER BY seq LIMIT 1",
                                   sessionId, chosen, from);
        if (rows.empty())
            break;
        from = rows[0]["seq"].as<int>() + 1;
        if (rows[0]["codec"].as<std::string>() != protocol::desktopCodecName(*codec))
            continue; // the stream changed codec: another file's worth, left out of this one
        if (!firstStart)
            firstStart = rows[0]["start_ms"].as<long long>();
        const std::int64_t start = rows[0]["start_ms"].as<long long>() - *firstStart;
        std::unique_ptr<media::VideoFileReader> reader;
        try {
            reader = media::VideoFileReader::openBytes(bodyOf(rows[0]["body"]));
        } catch (const std::runtime_error&) {
            continue; // a segment that does not read leaves a gap, not a broken file
        }
        while (auto picture = reader->next()) {
            const std::int64_t at = std::max(start + picture->millis, lastMillis + 1);
            if (writer.add(picture->data, at, picture->keyframe))
                lastMillis = at;
        }
    }
    if (writer.pictures() == 0)
        return std::nullopt;
    writer.finish();
    return codec;
}

} // namespace breeze::server
