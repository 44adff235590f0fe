#include "db/Migrator.h"

#include "crypto/Digest.h"

#include <map>
#include <pqxx/pqxx>
#include <pqxx/transaction>
#include <stdexcept>

namespace breeze::server {

namespace {
constexpr long long kMigrationLock = 7283460;

std::map<int, std::pair<std::string, std::string>> appliedVersions(pqxx::transaction_base& tx) {
    std::map<int, std::pair<std::string, std::string>> out;
    for (const auto& row : tx.exec("SELECT version, checksum, to_char(applied_at AT TIME ZONE 'UTC', "
                                   "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS applied_at FROM schema_migrations"))
        out[row["version"].as<int>()] = {row["checksum"].as<std::string>(),
                                         row["applied_at"].as<std::string>()};
    return out;
}

void beginMigrationTx(pqxx::work& tx) {
    tx.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLock);
    // Migrations may move data of every tenant; row-level security would otherwise hide it.
    tx.exec("SELECT set_config('breeze.system', 'on', true)");
}
} // namespace

Migrator::Migrator(pqxx::connection& connection, const std::vector<MigrationFile>& migrations)
    : m_connection(connection), m_migrations(migrations) {}

void Migrator::ensureTable() {
    pqxx::work tx(m_connection);
    tx.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLock);
    tx.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, "
            "checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
    tx.commit();
}

int Migrator::up() {
    ensureTable();
    int applied = 0;
    for (const auto& migration : m_migrations) {
        pqxx::work tx(m_connection);
        beginMigrationTx(tx);
        if (appliedVersions(tx).contains(migration.version))
            continue;
        try {
            tx.exec(migration.up);
        } catch (const std::exception& error) {
            throw std::runtime_error("migration " + std::to_string(migration.version) + " (" +
                                     migration.name + ") failed: " + error.what());
        }
        tx.exec_params("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                       migration.version, migration.name, crypto::Digest::sha256Hex(migration.up));
        tx.commit();
        ++applied;
    }
    return applied;
}

int Migrator::down(int steps) {
    ensureTable();
    int reverted = 0;
    for (; reverted < steps; ++reverted) {
        pqxx::work tx(m_connection);
        beginMigrationTx(tx);
        const auto applied = appliedVersions(tx);
        if (applied.empty())
            break;
        const int newest = applied.rbegin()->first;
        const MigrationFile* migration = nullptr;
        for (const auto& candidate : m_migrations) {
            if (candidate.version == newest)
                migration = &candidate;
        }
        if (!migration)
            throw std::runtime_error(
                "migration " + std::to_string(newest) +
                " is applied but this binary does not know it; use the newer binary to revert it");
        try {
            tx.exec(migration->down);
        } catch (const std::exception& error) {
            throw std::runtime_error("reverting migration " + std::to_string(newest) +
                                     " failed: " + error.what());
        }
        tx.exec_params("DELETE FROM schema_migrations WHERE version = $1", newest);
        tx.commit();
    }
    return reverted;
}

std::vector<MigrationState> Migrator::status() {
    ensureTable();
    pqxx::work tx(m_connection);
    const auto applied = appliedVersions(tx);
    std::vector<MigrationState> out;
    for (const auto& migration : m_migrations) {
        const auto it = applied.find(migration.version);
        const bool isApplied = it != applied.end();
        out.push_back({migration.version, migration.name, isApplied, isApplied ? it->second.second : "",
                       !isApplied || it->second.first == crypto::Digest::sha256Hex(migration.up)});
    }
    return out;
}

int Migrator::pendingCount() {
    int pending = 0;
    for (const auto& state : status())
        pending += !state.applied;
    return pending;
}

} // namespace breeze::server
