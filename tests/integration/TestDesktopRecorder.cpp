// The server's desktop recorder against a real PostgreSQL, fed what a hostile or broken agent could send:
// pictures before any keyframe, H.264 "keyframes" without parameter sets, nothing but tiny keyframes,
// timestamps going backwards, more bytes than it may hold, a recording past its size limit, and two nodes
// recording one session. What can be recorded is, what cannot is counted, bounds hold, and segment numbers
// never collide.
#include "TestPostgres.h"
#include "db/ConnectionPool.h"
#include "db/EmbeddedMigrations.h"
#include "db/Migrator.h"
#include "db/ScopedTransaction.h"
#include "desktop/ChangeMap.h"
#include "desktop/I420Picture.h"
#include "desktop/Vp8Encoder.h"
#include "media/VideoFileReader.h"
#include "protocol/DesktopFrame.h"
#include "sessions/DesktopRecorder.h"
#include "units/Units.h"

#include <QtTest>
#include <pqxx/pqxx>

using namespace breeze;
using namespace std::chrono_literals;

namespace {
constexpr int kWidth = 320;
constexpr int kHeight = 240;

std::string frameOf(int stream, std::uint64_t sequence, std::uint64_t micros, protocol::DesktopCodec codec,
                    bool keyframe, std::string_view data, int width = kWidth, int height = kHeight) {
    protocol::DesktopFrame frame;
    frame.stream = stream;
    frame.sequence = sequence;
    frame.captureMicros = micros;
    frame.codec = codec;
    frame.flags = keyframe ? protocol::DesktopFrame::Keyframe : 0;
    frame.width = width;
    frame.height = height;
    frame.data = data;
    return protocol::encodeDesktopFrame(frame);
}

// Real VP8 pictures of a square moving over grey: a keyframe first, then each `keyframeEvery`-th.
std::vector<std::pair<std::string, bool>> vp8Pictures(int count, int keyframeEvery) {
    agent::Vp8Encoder encoder(kWidth, kHeight, 1000, 1);
    agent::I420Picture picture;
    picture.resize(kWidth, kHeight, encoder.needsEvenSize());
    agent::ChangeMap changes;
    changes.resize(kWidth, kHeight);
    std::vector<std::uint8_t> pixels(static_cast<std::size_t>(kWidth) * kHeight * 4, 0x80);
    std::vector<std::pair<std::string, bool>> out;
    for (int i = 0; i < count; ++i) {
        for (int y = 100; y < 120; ++y)
            for (int x = 0; x < 20; ++x)
                pixels[(static_cast<std::size_t>(y) * kWidth +
                        static_cast<std::size_t>((i * 5 + x) % kWidth)) *
                       4] = static_cast<std::uint8_t>(i * 7);
        picture.convert(pixels.data(), kWidth * 4, nullptr);
        changes.markAll();
        agent::EncodedPicture encoded;
        encoder.encode(picture, changes, i % keyframeEvery == 0, false, std::int64_t{i} * 50, encoded);
        out.emplace_back(encoded.data, encoded.keyframe);
    }
    return out;
}
} // namespace

class TestDesktopRecorder final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestPostgres> m_postgres;
    std::unique_ptr<server::ConnectionPool> m_pool;
    std::string m_partner, m_org, m_site, m_device;

    std::string newSession() {
        auto lease = m_pool->acquire();
        server::ScopedTransaction tx(*lease, server::SystemAccess{"test"});
        auto id =
            tx.sql()
                .exec_params1("INSERT INTO remote_sessions (partner_id, org_id, site_id, device_id, kind, "
                              "actor_type, actor_id, actor_label, grants) VALUES ($1, $2, $3, $4, "
                              "'desktop', 'user', gen_random_uuid(), 'tester', '{\"record\": true}') "
                              "RETURNING id",
                              m_partner, m_org, m_site, m_device)[0]
                .as<std::string>();
        tx.commit();
        return id;
    }

    pqxx::result query(const std::string& sql, const std::string& sessionId) {
        auto lease = m_pool->acquire();
        server::ScopedTransaction tx(*lease, server::SystemAccess{"test"});
        return tx.sql().exec_params(sql, sessionId);
    }

    long long droppedBytes(const std::string& sessionId) {
        const auto rows =
            query("SELECT dropped_bytes FROM session_recordings WHERE session_id = $1", sessionId);
        return rows.empty() ? -1 : rows[0][0].as<long long>();
    }

    // (stream, seq, pictures) of each stored segment, and whether each reads back with that many pictures.
    std::vector<std::tuple<int, int, int>> segments(const std::string& sessionId, bool checkReadable = true) {
        std::vector<std::tuple<int, int, int>> found;
        for (const auto& row :
             query("SELECT stream, seq, pictures, body FROM desktop_recording_segments WHERE "
                   "session_id = $1 ORDER BY stream, seq",
                   sessionId)) {
            found.emplace_back(row[0].as<int>(), row[1].as<int>(), row[2].as<int>());
            if (!checkReadable)
                continue;
            const pqxx::binarystring body(row[3]);
            const auto reader = media::VideoFileReader::openBytes(
                std::string(reinterpret_cast<const char*>(body.data()), body.size()));
            int pictures = 0;
            while (reader->next())
                ++pictures;
            if (pictures != row[2].as<int>())
                found.emplace_back(-1, -1, pictures); // a mismatch shows in the comparison
        }
        return found;
    }

private Q_SLOTS:
    void initTestCase() {
        m_postgres = std::make_unique<test::TestPostgres>();
        const QString url = m_postgres->createDatabase("desktop_recorder");
        {
            pqxx::connection connection(url.toStdString());
            server::Migrator(connection, server::embeddedMigrations()).up();
        }
        m_pool = std::make_unique<server::ConnectionPool>(url.toStdString(), 4, 5s);
        auto lease = m_pool->acquire();
        server::ScopedTransaction tx(*lease, server::SystemAccess{"test set-up"});
        m_partner =
            tx.sql().exec1("INSERT INTO partners (name) VALUES ('P') RETURNING id")[0].as<std::string>();
        m_org =
            tx.sql()
                .exec_params1("INSERT INTO organizations (partner_id, name) VALUES ($1, 'O') RETURNING id",
                              m_partner)[0]
                .as<std::string>();
        m_site = tx.sql()
                     .exec_params1(
                         "INSERT INTO sites (partner_id, org_id, name) VALUES ($1, $2, 'S') RETURNING id",
                         m_partner, m_org)[0]
                     .as<std::string>();
        m_device =
            tx.sql()
                .exec_params1("INSERT INTO devices (partner_id, org_id, site_id, identity, credential_hash) "
                              "VALUES ($1, $2, $3, 'pc', 'h') RETURNING id",
                              m_partner, m_org, m_site)[0]
                .as<std::string>();
        tx.commit();
    }

    // Garbage around a real stream costs the stream nothing: what cannot be decoded is left out and counted,
    // the real pictures are all there, in segments cut at keyframes at least two seconds apart.
    void hostilePicturesLeaveTheRealOnesAlone() {
        server::DesktopRecorder recorder(*m_pool, 1ULL << 40);
        const std::string id = newSession();
        recorder.begin(id);
        std::uint64_t garbage = 0;
        const std::string junk(1000, 'x');
        // Before any keyframe: nothing to build on.
        recorder.picture(id, frameOf(0, 1, 1'000'000, protocol::DesktopCodec::Vp8, false, junk));
        garbage += junk.size();
        // An H.264 "keyframe" without parameter sets starts nothing, on another stream.
        recorder.picture(id, frameOf(1, 1, 1'000'000, protocol::DesktopCodec::H264, true, junk));
        recorder.picture(id, frameOf(1, 2, 1'050'000, protocol::DesktopCodec::H264, false, junk));
        garbage += 2 * junk.size();
        // Not a frame at all, and a cursor shape: neither is a picture.
        recorder.picture(id, "not a desktop frame");
        recorder.picture(id, frameOf(0, 2, 1'000'000, protocol::DesktopCodec::Cursor, false, junk, 4, 4));
        // The real stream: 100 pictures, a keyframe every 20, its clock stepping back once. Half of them
        // arrive 2.1 s after the first half: the keyframe after that starts a new segment (a segment spans at
        // least two seconds as the server sees them come).
        const auto pictures = vp8Pictures(100, 20);
        for (std::size_t i = 0; i < pictures.size(); ++i) {
            if (i == 50)
                QTest::qWait(2100);
            const std::uint64_t micros = 2'000'000 + (i == 50 ? 0 : i * 50'000);
            recorder.picture(id, frameOf(0, 10 + i, micros, protocol::DesktopCodec::Vp8, pictures[i].second,
                                         pictures[i].first));
        }
        recorder.end(id);
        recorder.flush();
        const auto stored = segments(id);
        int total = 0;
        for (const auto& [stream, seq, count] : stored) {
            QCOMPARE(stream, 0);
            total += count;
        }
        QCOMPARE(total, 100);
        QCOMPARE(stored.size(), std::size_t{2}); // keyframes 0 to 40, then 60 (late) to 80
        QCOMPARE(std::get<2>(stored[0]), 60);
        QCOMPARE(droppedBytes(id), static_cast<long long>(garbage));
        QCOMPARE(recorder.heldBytes(), std::size_t{0});
    }

    // An agent sending nothing but tiny keyframes, 100 a second for ten seconds, makes a handful of
    // segments, not a thousand.
    void aFloodOfKeyframesMakesFewSegments() {
        server::DesktopRecorder recorder(*m_pool, 1ULL << 40);
        const std::string id = newSession();
        recorder.begin(id);
        for (int i = 0; i < 1000; ++i)
            recorder.picture(id,
                             frameOf(0, static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(i) * 10'000,
                                     protocol::DesktopCodec::Vp8, true, "k"));
        recorder.end(id);
        recorder.flush();
        const auto stored = segments(id, false);
        QVERIFY2(stored.size() <= 2, qPrintable(QString::number(stored.size()))); // arrived within moments
        int total = 0;
        for (const auto& [stream, seq, count] : stored)
            total += count;
        QCOMPARE(total, 1000);
    }

    // More than a session may hold between two flushes is dropped and counted at once; what is held never
    // passes the bound.
    void whatIsHeldIsBounded() {
        server::DesktopRecorder recorder(*m_pool, 1ULL << 40);
        const std::string id = newSession();
        recorder.begin(id);
        const std::string big(1 * kMiB, 'b');
        for (int i = 0; i < 40; ++i)
            recorder.picture(id,
                             frameOf(0, static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(i) * 10'000,
                                     protocol::DesktopCodec::Vp8, true, big));
        QVERIFY2(recorder.heldBytes() <= 32 * kMiB, qPrintable(QString::number(recorder.heldBytes())));
        recorder.end(id);
        recorder.flush();
        QVERIFY(droppedBytes(id) >= static_cast<long long>(8 * big.size()));
        QCOMPARE(recorder.heldBytes(), std::size_t{0});
    }

    // A recording stops at its size limit; the rest is counted, and the recorder lets go of it.
    void aRecordingStopsAtItsLimit() {
        server::DesktopRecorder recorder(*m_pool, 300'000);
        const std::string id = newSession();
        recorder.begin(id);
        const std::string chunk(100'000, 'c');
        // A keyframe every 2.5 s of the clock: a segment each.
        for (int i = 0; i < 10; ++i)
            recorder.picture(id, frameOf(0, static_cast<std::uint64_t>(i),
                                         static_cast<std::uint64_t>(i) * 2'500'000,
                                         protocol::DesktopCodec::Vp8, true, chunk));
        recorder.end(id);
        recorder.flush();
        const auto bytes =
            query("SELECT bytes FROM session_recordings WHERE session_id = $1", id)[0][0].as<long long>();
        QVERIFY2(bytes <= 300'000, qPrintable(QString::number(bytes)));
        QVERIFY(droppedBytes(id) > 0);
        QCOMPARE(recorder.heldBytes(), std::size_t{0});
    }

    // Two nodes recording one session (it was attached again elsewhere while the first still stored its
    // last segment) take different numbers, without gaps.
    void twoNodesNeverTakeTheSameNumber() {
        server::DesktopRecorder first(*m_pool, 1ULL << 40);
        server::DesktopRecorder second(*m_pool, 1ULL << 40);
        const std::string id = newSession();
        const auto pictures = vp8Pictures(20, 20);
        for (int round = 0; round < 3; ++round) {
            for (auto* node : {&first, &second}) {
                node->begin(id);
                for (std::size_t i = 0; i < pictures.size(); ++i)
                    node->picture(id, frameOf(0, i, i * 50'000, protocol::DesktopCodec::Vp8,
                                              pictures[i].second, pictures[i].first));
                node->end(id);
            }
            // Both store at once.
            std::thread other([&] { second.flush(); });
            first.flush();
            other.join();
        }
        const auto stored = segments(id);
        QCOMPARE(stored.size(), std::size_t{6});
        for (int seq = 0; seq < 6; ++seq)
            QCOMPARE(std::get<1>(stored[static_cast<std::size_t>(seq)]), seq);
    }
};

QTEST_GUILESS_MAIN(TestDesktopRecorder)
#include "TestDesktopRecorder.moc"
