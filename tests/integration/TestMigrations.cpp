#include "TestPostgres.h"
#include "TestServer.h"
#include "db/EmbeddedMigrations.h"
#include "db/Migrator.h"

#include <QtTest>
#include <pqxx/pqxx>

using namespace breeze;

class TestMigrations final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestPostgres> m_postgres;

    static int tableCount(pqxx::connection& connection) {
        pqxx::work tx(connection);
        return tx
            .exec1("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> "
                   "'schema_migrations'")[0]
            .as<int>();
    }

    // Tables, columns, constraints, functions and triggers: what a migration changes, in one comparable text.
    static std::string schemaFingerprint(pqxx::connection& connection) {
        pqxx::work tx(connection);
        return tx
            .exec1(
                "SELECT md5(string_agg(x, ',' ORDER BY x)) FROM ("
                "SELECT table_name || '.' || column_name || ':' || data_type AS x FROM "
                "information_schema.columns "
                "WHERE table_schema = 'public' "
                "UNION ALL SELECT conname || ':' || pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE connamespace = 'public'::regnamespace "
                "UNION ALL SELECT 'fn:' || proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace "
                "UNION ALL SELECT 'tg:' || tgname FROM pg_trigger WHERE NOT tgisinternal) s")[0]
            .as<std::string>();
    }

private Q_SLOTS:
    void initTestCase() { m_postgres = std::make_unique<test::TestPostgres>(); }

    void upDownUpOnACleanDatabase() {
        const QString url = m_postgres->createDatabase("mig_cycle");
        pqxx::connection connection(url.toStdString());
        server::Migrator migrator(connection, server::embeddedMigrations());
        const int total = static_cast<int>(server::embeddedMigrations().size());
        QVERIFY(total >= 2);
        QCOMPARE(migrator.pendingCount(), total);
        QCOMPARE(migrator.up(), total);
        QCOMPARE(migrator.pendingCount(), 0);
        QVERIFY(tableCount(connection) > 10);
        QCOMPARE(migrator.up(), 0); // idempotent

        QCOMPARE(migrator.down(total), total);
        QCOMPARE(tableCount(connection), 0);
        {
            pqxx::work tx(connection);
            QCOMPARE(tx.exec1("SELECT count(*) FROM pg_proc WHERE proname LIKE 'breeze_%'")[0].as<int>(), 0);
        }
        QCOMPARE(migrator.up(), total);
        for (const auto& state : migrator.status()) {
            QVERIFY(state.applied);
            QVERIFY(state.checksumMatches);
        }
    }

    void downStepsOneAtATime() {
        const QString url = m_postgres->createDatabase("mig_steps");
        pqxx::connection connection(url.toStdString());
        server::Migrator migrator(connection, server::embeddedMigrations());
        migrator.up();
        const std::string full = schemaFingerprint(connection);
        QCOMPARE(migrator.down(1), 1);
        QCOMPARE(migrator.pendingCount(), 1);
        QVERIFY(!migrator.status().back().applied); // the newest one went
        QVERIFY(migrator.status().front().applied);
        QVERIFY(schemaFingerprint(connection) != full);
        QCOMPARE(migrator.up(), 1);
        QCOMPARE(schemaFingerprint(connection), full); // and came back exactly
    }

    void aFailingMigrationLeavesNothingBehind() {
        const QString url = m_postgres->createDatabase("mig_fail");
        pqxx::connection connection(url.toStdString());
        std::vector<server::MigrationFile> migrations = {
            {1, "good", "CREATE TABLE a (id int);", "DROP TABLE a;"},
            {2, "bad", "CREATE TABLE b (id int); SELECT no_such_function();", "DROP TABLE b;"},
        };
        server::Migrator migrator(connection, migrations);
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, migrator.up());
        pqxx::work tx(connection);
        QCOMPARE(tx.exec1("SELECT count(*) FROM pg_tables WHERE tablename = 'a'")[0].as<int>(), 1);
        QCOMPARE(tx.exec1("SELECT count(*) FROM pg_tables WHERE tablename = 'b'")[0].as<int>(), 0);
        QCOMPARE(tx.exec1("SELECT array_to_string(array_agg(version), ',') FROM schema_migrations")[0]
                     .as<std::string>(),
                 std::string("1"));
    }

    void cliReportsStatusAndServerRefusesPendingMigrations() {
        test::TestServer server(*m_postgres, "mig_cli");
        const QString status = server.runCli({"migrate", "status"});
        QVERIFY(status.contains("0001  applied"));
        QVERIFY(status.contains("tenancy_and_auth"));
        server.stop();
        server.runCli({"migrate", "down", "1"});
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, server.start());
        QVERIFY(server.logText().contains("migration(s) pending"));
    }

    void cleanupTestCase() { m_postgres.reset(); }
};

QTEST_GUILESS_MAIN(TestMigrations)
#include "TestMigrations.moc"
