// Business rules called directly, without HTTP: the SQL and C++ that decide things, against a real, migrated
// PostgreSQL. Patch decision precedence (breeze_patch_decision), the command state machine (CommandStore),
// the rules of script output (CommandStore::appendOutput).
#include "TestPostgres.h"
#include "agents/CommandStore.h"
#include "db/ConnectionPool.h"
#include "db/EmbeddedMigrations.h"
#include "db/Migrator.h"
#include "db/ScopedTransaction.h"
#include "protocol/MessageFields.h"

#include <QtTest>
#include <pqxx/pqxx>

using namespace breeze;
using namespace std::chrono_literals;

class TestBusinessRules final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestPostgres> m_postgres;
    std::unique_ptr<server::ConnectionPool> m_pool;
    server::AgentSession m_device;
    server::AgentSession m_otherDevice;

    std::string text(const std::string& sql) {
        auto lease = m_pool->acquire();
        server::ScopedTransaction tx(*lease, server::SystemAccess{"test"});
        const auto row = tx.sql().exec1(sql);
        tx.commit();
        return row[0].is_null() ? std::string() : row[0].as<std::string>();
    }

    std::string newDevice(const std::string& identity) {
        return text("INSERT INTO devices (partner_id, org_id, site_id, identity, credential_hash) VALUES ('" +
                    m_device.partnerId + "', '" + m_device.orgId + "', '" + m_device.siteId + "', '" +
                    identity + "', '" + identity + "') RETURNING id");
    }

    std::string newCommand(const std::string& deviceId, const std::string& type) {
        return text("INSERT INTO device_commands (partner_id, org_id, site_id, device_id, command_type, "
                    "timeout_seconds, expires_at) VALUES ('" +
                    m_device.partnerId + "', '" + m_device.orgId + "', '" + m_device.siteId + "', '" +
                    deviceId + "', '" + type + "', 60, now() + interval '1 hour') RETURNING id");
    }

    std::string decision(const std::string& patch, const std::string& firstSeen = "now()") {
        return text("SELECT breeze_patch_decision('" + patch + "', '" + m_device.orgId + "', '" +
                    m_device.siteId + "', '" + m_device.deviceId + "', " + firstSeen + ")");
    }

    void decide(const std::string& patch, const std::string& scope, const std::string& verdict,
                const std::string& extraColumns = "", const std::string& extraValues = "") {
        const std::string org = scope == "partner" ? "NULL" : "'" + m_device.orgId + "'";
        const std::string site = scope == "site" || scope == "device" ? "'" + m_device.siteId + "'" : "NULL";
        const std::string device = scope == "device" ? "'" + m_device.deviceId + "'" : "NULL";
        text(
            "INSERT INTO patch_decisions (partner_id, patch_id, scope, org_id, site_id, device_id, decision" +
            extraColumns + ") VALUES ('" + m_device.partnerId + "', '" + patch + "', '" + scope + "', " +
            org + ", " + site + ", " + device + ", '" + verdict + "'" + extraValues + ") RETURNING id");
    }

    template <typename Work> auto inTransaction(Work work) {
        auto lease = m_pool->acquire();
        server::ScopedTransaction tx(*lease, server::SystemAccess{"test"});
        auto result = work(tx);
        tx.commit();
        return result;
    }

private Q_SLOTS:
    void initTestCase() {
        m_postgres = std::make_unique<test::TestPostgres>();
        const QString url = m_postgres->createDatabase("business_rules");
        {
            pqxx::connection connection(url.toStdString());
            server::Migrator(connection, server::embeddedMigrations()).up();
        }
        m_pool = std::make_unique<server::ConnectionPool>(url.toStdString(), 4, 5s);
        m_device.partnerId = text("INSERT INTO partners (name) VALUES ('P') RETURNING id");
        m_device.orgId = text("INSERT INTO organizations (partner_id, name) VALUES ('" + m_device.partnerId +
                              "', 'O') RETURNING id");
        m_device.siteId = text("INSERT INTO sites (partner_id, org_id, name) VALUES ('" + m_device.partnerId +
                               "', '" + m_device.orgId + "', 'S') RETURNING id");
        m_device.deviceId = newDevice("pc-1");
        m_otherDevice = m_device;
        m_otherDevice.deviceId = newDevice("pc-2");
    }

    void patchDecisionsFollowPrecedence() {
        const std::string patch = text("INSERT INTO patches (partner_id, manager, name, version) VALUES ('" +
                                       m_device.partnerId + "', 'apt', 'openssl', '3.0.2') RETURNING id");
        QCOMPARE(decision(patch), std::string("none"));
        decide(patch, "partner", "approved");
        QCOMPARE(decision(patch), std::string("approved"));
        // The organisation's deferral is more specific than the partner's approval...
        decide(patch, "org", "deferred", ", defer_days", ", 7");
        QCOMPARE(decision(patch), std::string("deferred"));
        // ...and once it has run out, it counts as approved.
        QCOMPARE(decision(patch, "now() - interval '8 days'"), std::string("approved"));
        // The device's own decision is the most specific of all.
        decide(patch, "device", "approved");
        QCOMPARE(decision(patch), std::string("approved"));
        // A rejection anywhere wins over every approval, however specific.
        decide(patch, "site", "rejected");
        QCOMPARE(decision(patch), std::string("rejected"));
    }

    void commandStatesOnlyMoveForward() {
        const std::string id = newCommand(m_device.deviceId, "ping");
        const auto apply = [&](const server::AgentSession& session, const std::string& status) {
            return inTransaction([&](server::ScopedTransaction& tx) {
                protocol::CommandUpdate update{id, status, 0, nlohmann::json::object(), {}};
                return server::CommandStore::applyUpdate(tx, session, update).has_value();
            });
        };
        const auto status = [&] {
            return text("SELECT status FROM device_commands WHERE id = '" + id + "'");
        };
        QVERIFY(!apply(m_device, protocol::kCommandRunning)); // not final
        QCOMPARE(status(), std::string("running"));
        QVERIFY(
            !apply(m_otherDevice, protocol::kCommandCompleted)); // another device's result changes nothing
        QCOMPARE(status(), std::string("running"));
        QVERIFY(apply(m_device, protocol::kCommandCompleted));
        QCOMPARE(status(), std::string("completed"));
        // A repeated or late result cannot move a finished command.
        QVERIFY(!apply(m_device, protocol::kCommandFailed));
        QVERIFY(!apply(m_device, protocol::kCommandRunning));
        QCOMPARE(status(), std::string("completed"));
    }

    void scriptOutputIsTakenOnceInOrder() {
        const std::string id = newCommand(m_device.deviceId, "run_script");
        text("UPDATE device_commands SET status = 'running' WHERE id = '" + id + "' RETURNING id");
        const auto append = [&](std::int64_t offset, const std::string& data) -> std::string {
            try {
                return inTransaction([&](server::ScopedTransaction& tx) {
                    return server::CommandStore::appendOutput(tx, m_device, {id, "stdout", offset, data})
                               ? std::string("stored")
                               : std::string("not this device's");
                });
            } catch (const protocol::MessageError&) {
                return "refused";
            }
        };
        QCOMPARE(append(0, "hello "), std::string("stored"));
        QCOMPARE(append(0, "hello "), std::string("stored"));  // the same bytes again: harmless
        QCOMPARE(append(0, "HELLO "), std::string("refused")); // other bytes at the same place
        QCOMPARE(append(3, "XX"), std::string("refused"));     // overlapping
        QCOMPARE(append(6, "world"), std::string("stored"));
        QCOMPARE(append(2, "llo w"), std::string("stored")); // inside what is stored, byte for byte
        QCOMPARE(text("SELECT count(*) FROM command_output WHERE command_id = '" + id + "'"),
                 std::string("1"));
        QCOMPARE(
            text("SELECT convert_from(data, 'UTF8') FROM command_output WHERE command_id = '" + id + "'"),
            std::string("hello world"));
        text("UPDATE device_commands SET status = 'completed', finished_at = now() WHERE id = '" + id +
             "' RETURNING id");
        QCOMPARE(append(11, "!"), std::string("refused")); // a finished command takes no more
    }

    void cleanupTestCase() {
        m_pool.reset();
        m_postgres.reset();
    }
};

QTEST_GUILESS_MAIN(TestBusinessRules)
#include "TestBusinessRules.moc"
