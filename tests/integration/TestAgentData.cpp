// What the server does with agent reports, against a real PostgreSQL: heartbeat batches through COPY,
// partitions made ahead and dropped whole, hourly rollups (late samples included), inventory changes logged
// per item, and command expiry.
#include "TestPostgres.h"
#include "agents/AgentDataFeed.h"
#include "agents/AgentMaintenance.h"
#include "agents/CommandStore.h"
#include "agents/InventoryStore.h"
#include "agents/MetricsWriter.h"
#include "db/ConnectionPool.h"
#include "db/EmbeddedMigrations.h"
#include "db/Migrator.h"
#include "db/ScopedTransaction.h"
#include "devices/DeviceStore.h"

#include <QtTest>
#include <algorithm>
#include <future>
#include <mutex>
#include <pqxx/pqxx>

using namespace breeze;
using namespace std::chrono_literals;

class TestAgentData final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestPostgres> m_postgres;
    std::unique_ptr<server::ConnectionPool> m_pool;
    server::AgentSession m_session;

    long long scalar(const std::string& sql) {
        auto lease = m_pool->acquire();
        server::ScopedTransaction tx(*lease, server::SystemAccess{"test"});
        return tx.sql().exec1(sql)[0].as<long long>();
    }

    void exec(const std::string& sql) {
        auto lease = m_pool->acquire();
        server::ScopedTransaction tx(*lease, server::SystemAccess{"test"});
        tx.sql().exec(sql);
        tx.commit();
    }

    static std::int64_t nowMs() {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }

    bool store(server::MetricsWriter& writer, std::int64_t sampledAtMs, double cpu) {
        protocol::Heartbeat beat;
        beat.sampledAtMs = sampledAtMs;
        beat.cpuPercent = cpu;
        beat.memoryTotalBytes = 1000;
        beat.memoryUsedBytes = 500;
        beat.filesystems = {{"/", "ext4", 100, 25, std::nullopt}, {"/data", "xfs", 100, 80, std::nullopt}};
        beat.interfaces = {{"lo", 999, 999}, {"eth0", static_cast<std::uint64_t>(sampledAtMs / 1000), 10}};
        std::promise<bool> stored;
        writer.submit({m_session, beat, [&](server::MetricsWriter::Outcome outcome, const std::string&) {
                           stored.set_value(outcome == server::MetricsWriter::Outcome::Stored);
                       }});
        return stored.get_future().get();
    }

private Q_SLOTS:
    void initTestCase() {
        m_postgres = std::make_unique<test::TestPostgres>();
        const QString url = m_postgres->createDatabase("agent_data");
        {
            pqxx::connection connection(url.toStdString());
            server::Migrator(connection, server::embeddedMigrations()).up();
        }
        m_pool = std::make_unique<server::ConnectionPool>(url.toStdString(), 4, 5s);
        auto lease = m_pool->acquire();
        server::ScopedTransaction tx(*lease, server::SystemAccess{"test set-up"});
        m_session.partnerId =
            tx.sql().exec1("INSERT INTO partners (name) VALUES ('P') RETURNING id")[0].as<std::string>();
        m_session.orgId =
            tx.sql()
                .exec_params1("INSERT INTO organizations (partner_id, name) VALUES ($1, 'O') RETURNING id",
                              m_session.partnerId)[0]
                .as<std::string>();
        m_session.siteId =
            tx.sql()
                .exec_params1(
                    "INSERT INTO sites (partner_id, org_id, name) VALUES ($1, $2, 'S') RETURNING id",
                    m_session.partnerId, m_session.orgId)[0]
                .as<std::string>();
        m_session.deviceId = tx.sql()
                                 .exec_params1("INSERT INTO devices (partner_id, org_id, site_id, identity, "
                                               "credential_hash) VALUES ($1, $2, $3, 'pc', 'h') RETURNING id",
                                               m_session.partnerId, m_session.orgId, m_session.siteId)[0]
                                 .as<std::string>();
        tx.commit();
        server::AgentMaintenance::ensurePartitions(*m_pool, 30, 365);
    }

    void partitionsAreMadeAheadAndDroppedWhole() {
        // Today, two days ahead and thirty back: 33 daily partitions.
        QCOMPARE(scalar("SELECT count(*) FROM pg_inherits WHERE inhparent = 'device_metrics'::regclass"),
                 33LL);
        QVERIFY(
            scalar("SELECT count(*) FROM pg_inherits WHERE inhparent = 'device_metrics_hourly'::regclass") >=
            2);
        exec("CREATE TABLE device_metrics_p20200101 PARTITION OF device_metrics FOR VALUES FROM "
             "('2020-01-01 00:00:00+00') TO ('2020-01-02 00:00:00+00')");
        exec("CREATE TABLE device_metrics_hourly_p202001 PARTITION OF device_metrics_hourly FOR VALUES FROM "
             "('2020-01-01 00:00:00+00') TO ('2020-02-01 00:00:00+00')");
        server::AgentMaintenance::ensurePartitions(*m_pool, 30, 365);
        QCOMPARE(scalar("SELECT count(*) FROM pg_class WHERE relname IN ('device_metrics_p20200101', "
                        "'device_metrics_hourly_p202001')"),
                 0LL);
        // A shorter retention drops what is now too old, and only that.
        server::AgentMaintenance::ensurePartitions(*m_pool, 7, 365);
        QCOMPARE(scalar("SELECT count(*) FROM pg_inherits WHERE inhparent = 'device_metrics'::regclass"),
                 10LL);
        server::AgentMaintenance::ensurePartitions(*m_pool, 30, 365);
    }

    void heartbeatsAreStoredOnceWithDerivedColumns() {
        server::MetricsWriter writer(*m_pool, 100, 50ms, 1000);
        const std::int64_t at = nowMs();
        QVERIFY(store(writer, at, 10));
        QVERIFY(store(writer, at, 10)); // a resent sample: accepted, stored once
        QCOMPARE(scalar("SELECT count(*) FROM device_metrics"), 1LL);
        QCOMPARE(scalar("SELECT disk_used_percent::int FROM device_metrics"), 80LL); // the fullest filesystem
        QCOMPARE(scalar("SELECT net_tx_bytes FROM device_metrics"), 10LL);           // loopback left out
        QVERIFY(scalar("SELECT count(*) FROM devices WHERE last_seen_at IS NOT NULL") == 1);
        // The device row carries the latest sample's headline figures for device lists.
        QCOMPARE(scalar("SELECT last_cpu_percent::int FROM devices"), 10LL);
        QCOMPARE(scalar("SELECT last_memory_percent::int FROM devices"), 50LL);
        // ...and each filesystem's fill, for the device's disk bars.
        QCOMPARE(scalar("SELECT jsonb_array_length(last_filesystems) FROM devices"), 2LL);
        QCOMPARE(scalar("SELECT (last_filesystems->1->>'used_bytes')::int FROM devices "
                        "WHERE last_filesystems->1->>'mount' = '/data'"),
                 80LL);
    }

    // The device list's grid columns come from the newest heartbeat (uptime, the fullest filesystem as df
    // measures it), the inventory (every address but loopback) and the patch states.
    void theDeviceListCarriesTheGridColumns() {
        server::MetricsWriter writer(*m_pool, 100, 50ms, 1000);
        protocol::Heartbeat beat;
        beat.sampledAtMs = nowMs() + 1000; // newer than the other tests' samples
        beat.uptimeSeconds = 7200;
        beat.filesystems = {{"/", "ext4", 100, 25, 50}, {"/data", "xfs", 100, 80, 10}};
        std::promise<bool> stored;
        writer.submit({m_session, beat, [&](server::MetricsWriter::Outcome outcome, const std::string&) {
                           stored.set_value(outcome == server::MetricsWriter::Outcome::Stored);
                       }});
        QVERIFY(stored.get_future().get());
        protocol::InventoryReport interfaces;
        interfaces.section = "interfaces";
        interfaces.collectedAtMs = nowMs();
        interfaces.data = protocol::InventoryReport::canonicalSection(
            "interfaces", {{{"name", "lo"}, {"addresses", {"127.0.0.1", "::1"}}},
                           {{"name", "eth0"}, {"addresses", {"192.0.2.10", "2001:db8::10"}}},
                           {{"name", "wg0"}, {"addresses", {"10.8.0.2"}}}});
        {
            auto lease = m_pool->acquire();
            server::ScopedTransaction tx(*lease, server::SystemAccess{"test"});
            server::InventoryStore::apply(tx, m_session, interfaces);
            tx.commit();
        }
        exec("INSERT INTO patches (id, partner_id, manager, name, arch, version) SELECT gen_random_uuid(), "
             "partner_id, 'apt', 'pkg' || n, 'amd64', '1' FROM devices, generate_series(1, 3) n");
        exec("INSERT INTO device_patches (device_id, patch_id, partner_id, org_id, site_id, state) "
             "SELECT d.id, p.id, d.partner_id, d.org_id, d.site_id, CASE p.name WHEN 'pkg1' THEN 'failed' "
             "ELSE 'missing' END FROM devices d, patches p");
        exec("UPDATE devices SET reboot_required = true, patches_scanned_at = now()");
        auto lease = m_pool->acquire();
        server::ScopedTransaction tx(*lease, server::SystemAccess{"test"});
        const auto device =
            nlohmann::json::parse(tx.sql()
                                      .exec1(std::string("SELECT ") + server::DeviceStore::jsonColumn() +
                                             " AS item FROM devices d")["item"]
                                      .as<std::string>());
        QCOMPARE(device["fullest_filesystem"]["mount"], nlohmann::json("/data"));
        QCOMPARE(device["fullest_filesystem"]["used_percent"].get<double>(), 88.9); // 80 / (80 + 10)
        QCOMPARE(device["fullest_filesystem"]["available_bytes"].get<long long>(), 10LL);
        std::vector<std::string> addresses = device["addresses"];
        std::sort(addresses.begin(), addresses.end());
        QCOMPARE(addresses, (std::vector<std::string>{"10.8.0.2", "192.0.2.10", "2001:db8::10"}));
        QCOMPARE(device["patches"]["missing"].get<int>(), 2);
        QCOMPARE(device["patches"]["failed"].get<int>(), 1);
        QVERIFY(device["patches"]["scanned_at"].is_string());
        QCOMPARE(device["reboot_required"], nlohmann::json(true));
        const long long bootedSecondsBeforeSample =
            tx.sql()
                .exec_params1("SELECT extract(epoch FROM to_timestamp($1 / "
                              "1000.0) - booted_at)::bigint AS s FROM devices",
                              static_cast<long long>(beat.sampledAtMs))["s"]
                .as<long long>();
        QVERIFY2(std::abs(bootedSecondsBeforeSample - 7200) <= 1,
                 std::to_string(bootedSecondsBeforeSample).c_str());
    }

    void oneBadSampleCostsOnlyItsSender() {
        // Twenty good samples and one with a NUL in a user name (PostgreSQL's jsonb refuses it) in one batch.
        // Watchers of the feed hear of what was stored, once it has committed, and of nothing else.
        server::AgentDataFeed feed;
        std::mutex heardMutex;
        std::vector<std::int64_t> heard;
        long long committedWhenHeard = -1;
        feed.watchHeartbeats([&](const std::vector<server::AgentDataFeed::Heartbeat>& batch) {
            const long long committed = scalar("SELECT count(*) FROM device_metrics");
            std::lock_guard lock(heardMutex);
            committedWhenHeard = committed;
            for (const auto& sample : batch)
                heard.push_back(sample.heartbeat.sampledAtMs);
        });
        server::MetricsWriter writer(*m_pool, 100, 300ms, 1000); // after what its thread calls
        writer.publishTo(feed);
        const long long before = scalar("SELECT count(*) FROM device_metrics");
        const std::int64_t at = nowMs() - 3'600'000;
        std::vector<std::promise<server::MetricsWriter::Outcome>> outcomes(21);
        for (int i = 0; i < 21; ++i) {
            protocol::Heartbeat beat;
            beat.sampledAtMs = at + i * 1000LL;
            beat.cpuPercent = 1;
            beat.users = {i == 7 ? std::string("root\0x", 6) : std::string("root")};
            QVERIFY(writer.submit(
                {m_session, beat, [&outcomes, i](server::MetricsWriter::Outcome outcome, const std::string&) {
                     outcomes[static_cast<std::size_t>(i)].set_value(outcome);
                 }}));
        }
        for (int i = 0; i < 21; ++i) {
            const auto outcome = outcomes[static_cast<std::size_t>(i)].get_future().get();
            QCOMPARE(outcome, i == 7 ? server::MetricsWriter::Outcome::Refused
                                     : server::MetricsWriter::Outcome::Stored);
        }
        QCOMPARE(scalar("SELECT count(*) FROM device_metrics"), before + 20);
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                std::lock_guard lock(heardMutex);
                return heard.size() == 20;
            }(),
            5000);
        writer.stop();
        std::lock_guard lock(heardMutex);
        QVERIFY(std::find(heard.begin(), heard.end(), at + 7 * 1000LL) == heard.end());
        QCOMPARE(committedWhenHeard, before + 20);
    }

    void completedHoursAreRolledUpAndLateSamplesRollThemUpAgain() {
        server::MetricsWriter writer(*m_pool, 100, 50ms, 1000);
        const std::int64_t hourMs = 3'600'000;
        // Two hours back: an earlier test's sample from "now" must not land in it when the clock just
        // passed the hour.
        const std::int64_t previousHour = (nowMs() / hourMs - 2) * hourMs;
        QVERIFY(store(writer, previousHour + 60'000, 20));
        QVERIFY(store(writer, previousHour + 120'000, 40));
        server::AgentMaintenance maintenance(*m_pool, {}, nullptr);
        maintenance.runOnce();
        const std::string hour = "to_timestamp(" + std::to_string(previousHour / 1000) + ")";
        QCOMPARE(scalar("SELECT samples FROM device_metrics_hourly WHERE hour = " + hour), 2LL);
        QCOMPARE(scalar("SELECT cpu_avg::int FROM device_metrics_hourly WHERE hour = " + hour), 30LL);
        // A spool drained after an outage delivers a sample for that hour now.
        QVERIFY(store(writer, previousHour + 180'000, 90));
        QCOMPARE(scalar("SELECT count(*) FROM device_metrics_rollup_queue"), 1LL);
        maintenance.runOnce();
        QCOMPARE(scalar("SELECT samples FROM device_metrics_hourly WHERE hour = " + hour), 3LL);
        QCOMPARE(scalar("SELECT cpu_max::int FROM device_metrics_hourly WHERE hour = " + hour), 90LL);
        QCOMPARE(scalar("SELECT count(*) FROM device_metrics_rollup_queue"), 0LL);
        QVERIFY(scalar("SELECT net_rx_bytes FROM device_metrics_hourly WHERE hour = " + hour) == 120);
    }

    void inventoryWritesOnlyChanges() {
        const auto report = [](const nlohmann::json& items) {
            protocol::InventoryReport r;
            r.section = "software";
            r.collectedAtMs = nowMs();
            r.data = protocol::InventoryReport::canonicalSection("software", items);
            return r;
        };
        const auto apply = [&](const protocol::InventoryReport& r) {
            auto lease = m_pool->acquire();
            server::ScopedTransaction tx(*lease, server::SystemAccess{"test"});
            const auto changes = server::InventoryStore::apply(tx, m_session, r);
            tx.commit();
            return changes;
        };
        const nlohmann::json bash{{"name", "bash"}, {"version", "5.1"}, {"arch", "amd64"}};
        const nlohmann::json curl{{"name", "curl"}, {"version", "7.88"}, {"arch", "amd64"}};
        QCOMPARE(apply(report({bash, curl})), std::size_t(1)); // "initial"
        QCOMPARE(apply(report({bash, curl})), std::size_t(0)); // unchanged: nothing written
        nlohmann::json newBash = bash;
        newBash["version"] = "5.2";
        const nlohmann::json vim{{"name", "vim"}, {"version", "9"}, {"arch", "amd64"}};
        QCOMPARE(apply(report({newBash, vim})), std::size_t(3));
        QCOMPARE(
            scalar("SELECT count(*) FROM device_inventory_changes WHERE change = 'changed' AND item_key = "
                   "'bash:amd64' AND before->>'version' = '5.1' AND after->>'version' = '5.2'"),
            1LL);
        QCOMPARE(
            scalar("SELECT count(*) FROM device_inventory_changes WHERE change = 'removed' AND item_key = "
                   "'curl:amd64'"),
            1LL);
        QCOMPARE(scalar("SELECT count(*) FROM device_inventory_changes WHERE change = 'added' AND item_key = "
                        "'vim:amd64'"),
                 1LL);
        QCOMPARE(scalar("SELECT count(*) FROM device_events WHERE kind = 'inventory_changed'"), 1LL);
    }

    void commandsExpireAndTimeOut() {
        exec("INSERT INTO device_commands (partner_id, org_id, site_id, device_id, command_type, "
             "timeout_seconds, "
             "expires_at) SELECT partner_id, org_id, site_id, id, 'ping', 30, now() - interval '1 second' "
             "FROM devices");
        exec("INSERT INTO device_commands (partner_id, org_id, site_id, device_id, command_type, "
             "timeout_seconds, "
             "expires_at, status, sent_at) SELECT partner_id, org_id, site_id, id, 'ping', 30, now() + "
             "interval '1 "
             "day', 'sent', now() - interval '10 minutes' FROM devices");
        exec("INSERT INTO device_commands (partner_id, org_id, site_id, device_id, command_type, "
             "timeout_seconds, "
             "expires_at) SELECT partner_id, org_id, site_id, id, 'ping', 30, now() + interval '1 day' FROM "
             "devices");
        auto lease = m_pool->acquire();
        server::ScopedTransaction tx(*lease, server::SystemAccess{"test"});
        QCOMPARE(server::CommandStore::expire(tx), 2LL);
        tx.commit();
        QCOMPARE(
            scalar("SELECT count(*) FROM device_commands WHERE status = 'timed_out' AND error IS NOT NULL"),
            2LL);
        QCOMPARE(scalar("SELECT count(*) FROM device_commands WHERE status = 'pending'"), 1LL);
    }
};

QTEST_GUILESS_MAIN(TestAgentData)
#include "TestAgentData.moc"
