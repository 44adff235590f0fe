#include "spool/Spool.h"

#include "units/Units.h"

#include <sqlite3.h>
#include <stdexcept>
#include <sys/stat.h>

namespace breeze::agent {

namespace {
constexpr std::string_view kRecordedMetrics = "metrics_recorded";
constexpr std::string_view kDroppedMetrics = "metrics_dropped";

// A prepared statement that finalizes itself.
class Statement {
public:
    Statement(sqlite3* db, const char* sql) : m_db(db) {
        if (sqlite3_prepare_v2(db, sql, -1, &m_statement, nullptr) != SQLITE_OK)
            throw std::runtime_error(std::string("spool: ") + sqlite3_errmsg(db));
    }
    ~Statement() { sqlite3_finalize(m_statement); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, const std::string& text) {
        sqlite3_bind_text(m_statement, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
        return *this;
    }
    Statement& bind(int index, std::int64_t value) {
        sqlite3_bind_int64(m_statement, index, value);
        return *this;
    }
    bool step() {
        const int rc = sqlite3_step(m_statement);
        if (rc == SQLITE_ROW)
            return true;
        if (rc != SQLITE_DONE)
            throw std::runtime_error(std::string("spool: ") + sqlite3_errmsg(m_db));
        return false;
    }
    std::int64_t integer(int column) { return sqlite3_column_int64(m_statement, column); }
    std::string text(int column) {
        const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(m_statement, column));
        return data ? std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(m_statement, column)))
                    : std::string();
    }

private:
    sqlite3* m_db;
    sqlite3_stmt* m_statement = nullptr;
};

int kindCode(Spool::Kind kind) {
    return static_cast<int>(kind);
}
} // namespace

Spool::Spool(const std::string& path, std::int64_t maxMetrics) : m_maxMetrics(maxMetrics) {
    const mode_t previous = umask(077); // the spool holds what the machine reports: owner only
    const int rc = sqlite3_open_v2(
        path.c_str(), &m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
    umask(previous);
    if (rc != SQLITE_OK) {
        const std::string error = m_db ? sqlite3_errmsg(m_db) : "out of memory";
        sqlite3_close(m_db);
        throw std::runtime_error("cannot open the spool " + path + ": " + error);
    }
    chmod(path.c_str(), 0600);
    sqlite3_busy_timeout(m_db, 5000);
    // WAL keeps writes cheap; synchronous=NORMAL in WAL survives a crash of the agent (not of the kernel,
    // where the worst case is the last few heartbeats).
    exec("PRAGMA journal_mode = WAL");
    exec("PRAGMA synchronous = NORMAL");
    exec("CREATE TABLE IF NOT EXISTS outbox (sequence INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL "
         "UNIQUE, "
         "kind INTEGER NOT NULL, replace_key TEXT NOT NULL DEFAULT '', body TEXT NOT NULL, sent_at INTEGER)");
    exec("CREATE INDEX IF NOT EXISTS outbox_kind ON outbox (kind, sequence)");
    exec("CREATE TABLE IF NOT EXISTS commands (command_id TEXT PRIMARY KEY, state INTEGER NOT NULL, "
         "received_at INTEGER NOT NULL)");
    exec("CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)");
    markAllUnsent();
}

void Spool::setSetting(const std::string& name, const std::string& value) {
    std::lock_guard lock(m_mutex);
    Statement(
        m_db,
        "INSERT INTO settings (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = ?2")
        .bind(1, name)
        .bind(2, value)
        .step();
}

std::optional<std::string> Spool::setting(const std::string& name) {
    std::lock_guard lock(m_mutex);
    Statement select(m_db, "SELECT value FROM settings WHERE name = ?1");
    select.bind(1, name);
    if (select.step())
        return select.text(0);
    return std::nullopt;
}

Spool::~Spool() {
    sqlite3_close(m_db);
}

void Spool::exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
        const std::string message = error ? error : "unknown error";
        sqlite3_free(error);
        throw std::runtime_error("spool: " + message);
    }
}

std::string Spool::add(Kind kind, const std::string& replaceKey,
                       const std::function<std::string(const std::string&)>& encode) {
    std::lock_guard lock(m_mutex);
    exec("BEGIN IMMEDIATE");
    try {
        if (!replaceKey.empty())
            Statement(m_db, "DELETE FROM outbox WHERE replace_key = ?1 AND sent_at IS NULL")
                .bind(1, replaceKey)
                .step();
        std::int64_t next = 1;
        {
            Statement seq(m_db,
                          "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0) + 1");
            if (seq.step())
                next = seq.integer(0);
        }
        std::string id = "s" + std::to_string(next);
        Statement insert(
            m_db, "INSERT INTO outbox (sequence, id, kind, replace_key, body) VALUES (?1, ?2, ?3, ?4, ?5)");
        insert.bind(1, next)
            .bind(2, id)
            .bind(3, std::int64_t{kindCode(kind)})
            .bind(4, replaceKey)
            .bind(5, encode(id));
        insert.step();
        if (kind == Kind::Metric) {
            // Bounded: the oldest heartbeats go first; results and inventory are kept.
            Statement trim(m_db,
                           "DELETE FROM outbox WHERE kind = ?1 AND sequence IN (SELECT sequence FROM outbox "
                           "WHERE kind = ?1 ORDER BY sequence DESC LIMIT -1 OFFSET ?2)");
            trim.bind(1, std::int64_t{kindCode(Kind::Metric)}).bind(2, m_maxMetrics).step();
            const int dropped = sqlite3_changes(m_db);
            // Totals kept across restarts, so what was sampled can be checked against what the server stored.
            const char* countSql = "INSERT INTO settings (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO "
                                   "UPDATE SET value = CAST(value AS INTEGER) + ?2";
            Statement(m_db, countSql).bind(1, std::string(kRecordedMetrics)).bind(2, std::int64_t{1}).step();
            if (dropped > 0)
                Statement(m_db, countSql)
                    .bind(1, std::string(kDroppedMetrics))
                    .bind(2, std::int64_t{dropped})
                    .step();
        }
        exec("COMMIT");
        return id;
    } catch (...) {
        exec("ROLLBACK");
        throw;
    }
}

std::vector<Spool::Item> Spool::takeDue(int resendAfterSeconds, std::size_t limit) {
    std::lock_guard lock(m_mutex);
    const std::int64_t now = static_cast<std::int64_t>(time(nullptr));
    std::vector<Item> items;
    Statement select(m_db,
                     "SELECT sequence, id, kind, body FROM outbox WHERE sent_at IS NULL OR sent_at <= ?1 "
                     "ORDER BY sequence LIMIT ?2");
    select.bind(1, now - resendAfterSeconds).bind(2, static_cast<std::int64_t>(limit));
    while (select.step())
        items.push_back(
            {select.integer(0), select.text(1), static_cast<Kind>(select.integer(2)), select.text(3)});
    if (!items.empty()) {
        Statement mark(m_db, "UPDATE outbox SET sent_at = ?1 WHERE sequence BETWEEN ?2 AND ?3 AND "
                             "(sent_at IS NULL OR sent_at <= ?4)");
        mark.bind(1, now)
            .bind(2, items.front().sequence)
            .bind(3, items.back().sequence)
            .bind(4, now - resendAfterSeconds);
        mark.step();
    }
    return items;
}

void Spool::markAllUnsent() {
    std::lock_guard lock(m_mutex);
    exec("UPDATE outbox SET sent_at = NULL");
}

void Spool::remove(const std::string& id) {
    std::lock_guard lock(m_mutex);
    Statement(m_db, "DELETE FROM outbox WHERE id = ?1").bind(1, id).step();
}

Spool::Counts Spool::counts() {
    std::lock_guard lock(m_mutex);
    Counts counts;
    Statement select(m_db, "SELECT kind, count(*) FROM outbox GROUP BY kind");
    while (select.step()) {
        const auto kind = static_cast<Kind>(select.integer(0));
        const auto count = select.integer(1);
        if (kind == Kind::Metric)
            counts.metrics = count;
        else if (kind == Kind::Inventory)
            counts.inventory = count;
        else
            counts.results = count;
    }
    Statement totals(m_db, "SELECT name, CAST(value AS INTEGER) FROM settings WHERE name IN (?1, ?2)");
    totals.bind(1, std::string(kRecordedMetrics)).bind(2, std::string(kDroppedMetrics));
    while (totals.step())
        (totals.text(0) == kRecordedMetrics ? counts.recordedMetrics : counts.droppedMetrics) =
            totals.integer(1);
    return counts;
}

Spool::CommandState Spool::acceptCommand(const std::string& commandId) {
    std::lock_guard lock(m_mutex);
    Statement select(m_db, "SELECT state FROM commands WHERE command_id = ?1");
    select.bind(1, commandId);
    if (select.step())
        return select.integer(0) == 0 ? CommandState::Running : CommandState::Finished;
    Statement insert(m_db, "INSERT INTO commands (command_id, state, received_at) VALUES (?1, 0, ?2)");
    insert.bind(1, commandId).bind(2, static_cast<std::int64_t>(time(nullptr))).step();
    // Remember a month of commands: enough for any redelivery, small forever.
    Statement(m_db, "DELETE FROM commands WHERE received_at < ?1")
        .bind(1, static_cast<std::int64_t>(time(nullptr)) - 31 * kSecondsPerDay)
        .step();
    return CommandState::New;
}

void Spool::forgetCommand(const std::string& commandId) {
    std::lock_guard lock(m_mutex);
    Statement(m_db, "DELETE FROM commands WHERE command_id = ?1 AND state = 0").bind(1, commandId).step();
}

void Spool::finishCommand(const std::string& commandId) {
    std::lock_guard lock(m_mutex);
    Statement(m_db, "UPDATE commands SET state = 1 WHERE command_id = ?1").bind(1, commandId).step();
}

} // namespace breeze::agent
