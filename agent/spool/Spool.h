#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace breeze::agent {

// The agent's on-disk outbox (SQLite, in the state folder): every heartbeat, inventory report and command
// result is written here first and deleted only when the server acknowledges it, so nothing is lost to a
// network cut, a server restart or an agent restart. Bounded: past maxMetrics, the oldest heartbeats are
// dropped; results are never dropped. Also remembers which commands were accepted, so a redelivered command
// never runs twice. Thread-safe.
class Spool {
public:
    enum class Kind { Metric, Inventory, Result };

    struct Item {
        std::int64_t sequence;
        std::string id; // the envelope id the server acknowledges
        Kind kind;
        std::string body; // the encoded message
    };

    struct Counts {
        std::int64_t metrics = 0;
        std::int64_t inventory = 0;
        std::int64_t results = 0;
        // Since the spool was created: every heartbeat recorded, and those dropped to keep it bounded.
        std::int64_t recordedMetrics = 0;
        std::int64_t droppedMetrics = 0;
    };

    Spool(const std::string& path, std::int64_t maxMetrics);
    ~Spool();
    Spool(const Spool&) = delete;
    Spool& operator=(const Spool&) = delete;

    // Adds a message; `encode` receives the id to put in the envelope. An inventory report replaces an unsent
    // one of the same section (only the latest matters).
    std::string add(Kind kind, const std::string& replaceKey,
                    const std::function<std::string(const std::string&)>& encode);
    // Items not sent since `resendAfterSeconds` ago (all of them after a reconnect), oldest first, at most
    // `limit`; they are marked as sent now.
    std::vector<Item> takeDue(int resendAfterSeconds, std::size_t limit);
    // After a reconnect everything counts as unsent again.
    void markAllUnsent();
    void remove(const std::string& id);
    Counts counts();

    // Small settings that must survive restarts (the intervals the server asked for).
    void setSetting(const std::string& name, const std::string& value);
    std::optional<std::string> setting(const std::string& name);

    enum class CommandState { New, Running, Finished };
    // Records a command the first time it is seen; returns its earlier state when it was seen before.
    CommandState acceptCommand(const std::string& commandId);
    void finishCommand(const std::string& commandId);
    // A command accepted but never started (it waited for a free slot when the agent stopped): as if never
    // seen, so the server's redelivery runs it.
    void forgetCommand(const std::string& commandId);

private:
    void exec(const std::string& sql);

    std::mutex m_mutex;
    sqlite3* m_db = nullptr;
    std::int64_t m_maxMetrics;
};

} // namespace breeze::agent
