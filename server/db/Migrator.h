#pragma once

#include "db/EmbeddedMigrations.h"

#include <pqxx/connection>
#include <string>
#include <vector>

namespace breeze::server {

struct MigrationState {
    int version;
    std::string name;
    bool applied;
    std::string appliedAt;
    bool checksumMatches; // false when an applied migration's file changed afterwards
};

// Applies and reverts numbered migrations, each in its own transaction, recording them in schema_migrations.
// An advisory lock keeps two servers (or an admin and a server) from migrating at once.
class Migrator {
public:
    Migrator(pqxx::connection& connection, const std::vector<MigrationFile>& migrations);

    int up();            // returns how many were applied
    int down(int steps); // reverts the newest `steps`, returns how many were reverted
    std::vector<MigrationState> status();
    int pendingCount();

private:
    void ensureTable();

    pqxx::connection& m_connection;
    const std::vector<MigrationFile>& m_migrations;
};

} // namespace breeze::server
