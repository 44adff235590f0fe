#pragma once

#include "collect/InventoryCollector.h"
#include "collect/MetricsCollector.h"
#include "commands/CommandExecutor.h"
#include "connection/AckWindow.h"
#include "connection/Backoff.h"
#include "net/TlsConnection.h"
#include "sessions/SessionHost.h"
#include "spool/Spool.h"
#include "state/AgentState.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

namespace breeze::net {
class WebSocketChannel;
}

namespace breeze::agent {

struct RuntimeOptions {
    std::string stateDirectory;
    int maxStartupDelaySeconds = 30;
    int maxBackoffSeconds = 60;
    std::int64_t maxSpooledMetrics = 10'080; // a week of one-minute heartbeats
    int resendAfterSeconds = 30;             // an unacknowledged message goes again after this
    int keepaliveSeconds = 30;     // ping the server this often; reconnect after three silent periods
    int maxConcurrentCommands = 8; // more wait their turn, in the order they came
    int heartbeatMs = 0;           // > 0: sample this often whatever the server asks (tests, diagnostics)
    std::string powerCommand = "shutdown";
    // Scripts run under `breeze-agent supervise-script`: the running agent's own image by default.
    std::string supervisorProgram = "/proc/self/exe";
    TerminalPolicy terminal; // who and what remote terminals may run as
    DesktopPolicy desktop;   // which display remote desktops show
};

// `breeze-agent run`: keeps one WebSocket to the server (with back-off and a random start-up delay), says
// hello, heartbeats and reports inventory through the spool, and carries out commands. Three kinds of
// threads: the link (the only one touching the socket), the reporter (heartbeat and inventory timers) and
// one per running command; they meet at the spool and a wake-up descriptor.
class AgentRuntime {
public:
    AgentRuntime(AgentState state, RuntimeOptions options);
    ~AgentRuntime();

    // Runs until stop() (from a signal handler thread).
    void run();
    void stop();

private:
    enum class SessionEnd { Closed, Refused, Revoked, Pending, Stopped };

    void linkLoop();
    SessionEnd session();
    void reporterLoop();
    void handle(net::WebSocketChannel& channel, const std::string& text);
    void onCommand(const protocol::CommandRequest& request);
    void welcome(const protocol::Welcome& welcome);
    void storeCredential(net::WebSocketChannel& channel, const protocol::NewCredential& fresh);
    // With m_mutex held: starts a command thread when one is free and commands wait; joins those that ended.
    void startCommandWorkers();
    void commandWorker();
    void runCommand(const protocol::CommandRequest& request, std::atomic<bool>& cancel);
    int collectInventory(bool force);
    void spoolOutput(const protocol::CommandOutput& chunk);
    void sendDue(net::WebSocketChannel& channel);
    void post(std::string text);
    void wake();
    void writeStatus(bool connected, const std::string& lastError);
    bool sleepFor(std::chrono::milliseconds duration); // false when stopping

    AgentState m_state;
    RuntimeOptions m_options;
    Spool m_spool;
    net::SslContextPtr m_tls;
    MetricsCollector m_metrics;
    InventoryCollector m_inventory;
    CommandExecutor m_executor;
    Backoff m_backoff;
    AckWindow m_window;     // link thread only
    SessionHost m_sessions; // link thread only

    std::atomic<bool> m_stopping{false};
    std::atomic<int> m_heartbeatSeconds{60};
    std::atomic<int> m_inventorySeconds{900};
    std::atomic<bool> m_connected{false};
    std::atomic<bool> m_reschedule{false};
    int m_wakeFd = -1;
    std::mutex m_mutex;
    std::condition_variable m_sleep;
    std::deque<std::string> m_outgoing; // messages that need no spool (hello, "running" updates)
    std::map<std::string, std::shared_ptr<std::atomic<bool>>> m_running; // command id -> cancel flag
    std::map<std::string, std::string> m_inventoryDigests;               // section -> last spooled digest
    struct CommandWorker {
        std::thread thread;
        bool done = false; // under m_mutex: the thread has left and may be joined
    };
    std::deque<protocol::CommandRequest> m_waitingCommands;
    std::list<CommandWorker> m_commandWorkers;
    std::thread m_reporter;
    std::mutex m_statusMutex;
    // Why the last connection attempt ended, for status.json.
    class LastError {
    public:
        void set(std::string text) {
            std::lock_guard lock(m_mutex);
            m_text = std::move(text);
        }
        std::string value() const {
            std::lock_guard lock(m_mutex);
            return m_text;
        }

    private:
        mutable std::mutex m_mutex;
        std::string m_text;
    } m_lastError;
};

} // namespace breeze::agent
