#include "runtime/AgentRuntime.h"

#include "crypto/Digest.h"
#include "crypto/SecureRandom.h"
#include "desktop/MonitorProbe.h"
#include "net/WebSocketChannel.h"
#include "net/WebSocketConnector.h"
#include "platform/MachineIdentity.h"
#include "protocol/MessageFields.h"
#include "protocol/SessionMessages.h"
#include "units/Units.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/utsname.h>
#include <unistd.h>

namespace breeze::agent {

namespace msg = protocol::agent_message;
using Clock = std::chrono::steady_clock;

namespace {
constexpr std::size_t kMaxMessageBytes = protocol::kMaxControlFrameBytes;
constexpr std::size_t kMaxQueuedBytes = 16 * kMiB;

void log(const std::string& line) {
    std::cerr << "breeze-agent: " << line << std::endl;
}

// Spreads periodic work: interval +-10%.
std::chrono::milliseconds jittered(int seconds) {
    const std::uint32_t spread = static_cast<std::uint32_t>(seconds) * 200 + 1;
    return std::chrono::milliseconds(static_cast<long long>(seconds) * 900 +
                                     crypto::SecureRandom::uniform(spread));
}
} // namespace

AgentRuntime::AgentRuntime(AgentState state, RuntimeOptions options)
    : m_state(std::move(state)), m_options(std::move(options)),
      m_spool((std::filesystem::path(m_options.stateDirectory) / "spool.db").string(),
              m_options.maxSpooledMetrics),
      m_tls(net::makeClientSslContext(
          m_state.pinnedCaPem.empty() ? std::string() : AgentState::caFile(m_options.stateDirectory))),
      m_executor({[this] { return collectInventory(true); }, m_options.powerCommand,
                  ScriptRunner::Options{m_options.supervisorProgram, {}},
                  [this](const protocol::CommandOutput& chunk) { spoolOutput(chunk); }}),
      m_backoff(std::chrono::seconds(1), std::chrono::seconds(m_options.maxBackoffSeconds),
                [](std::uint32_t bound) { return crypto::SecureRandom::uniform(bound); }),
      m_window(protocol::kDefaultAckWindow, std::chrono::seconds(m_options.resendAfterSeconds)),
      m_sessions(m_options.terminal, m_options.desktop) {
    m_wakeFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    m_inventory.setMonitorProbe(std::make_shared<MonitorProbe>(m_options.desktop));
    // The intervals the server asked for last time hold until it says otherwise (it may be unreachable now).
    if (const auto heartbeat = m_spool.setting("heartbeat_seconds"))
        m_heartbeatSeconds = std::clamp(std::atoi(heartbeat->c_str()), 1, 3600);
    if (const auto inventory = m_spool.setting("inventory_seconds"))
        m_inventorySeconds = std::clamp(std::atoi(inventory->c_str()), 10, 7 * 86400);
}

AgentRuntime::~AgentRuntime() {
    stop();
    for (auto& worker : m_commandWorkers)
        if (worker.thread.joinable())
            worker.thread.join();
    // Commands still waiting for a slot never started: the server delivers them again after the restart.
    for (const auto& request : m_waitingCommands)
        m_spool.forgetCommand(request.commandId);
    if (m_reporter.joinable())
        m_reporter.join();
    ::close(m_wakeFd);
}

void AgentRuntime::stop() {
    m_stopping = true;
    {
        std::lock_guard lock(m_mutex);
        for (auto& [id, cancel] : m_running)
            *cancel = true;
    }
    m_sleep.notify_all();
    wake();
}

void AgentRuntime::wake() {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = ::write(m_wakeFd, &one, sizeof one);
}

bool AgentRuntime::sleepFor(std::chrono::milliseconds duration) {
    std::unique_lock lock(m_mutex);
    return !m_sleep.wait_for(lock, duration, [this] { return m_stopping.load(); });
}

void AgentRuntime::post(std::string text) {
    {
        std::lock_guard lock(m_mutex);
        m_outgoing.push_back(std::move(text));
    }
    wake();
}

void AgentRuntime::run() {
    // A restarted server must not see its whole fleet at once: every agent waits a random moment first.
    if (m_options.maxStartupDelaySeconds > 0) {
        const auto delay = std::chrono::milliseconds(crypto::SecureRandom::uniform(
            static_cast<std::uint32_t>(m_options.maxStartupDelaySeconds) * 1000 + 1));
        log("starting in " + std::to_string(delay.count()) + " ms");
        if (!sleepFor(delay))
            return;
    }
    m_reporter = std::thread([this] { reporterLoop(); });
    linkLoop();
}

void AgentRuntime::linkLoop() {
    while (!m_stopping) {
        const auto started = Clock::now();
        const SessionEnd end = session();
        if (m_stopping || end == SessionEnd::Stopped)
            break;
        if (Clock::now() - started > std::chrono::seconds(60))
            m_backoff.reset(); // a session that held is not a failure streak
        auto delay = m_backoff.next();
        if (end == SessionEnd::Revoked || end == SessionEnd::Pending)
            delay =
                std::max(delay, std::chrono::milliseconds(std::chrono::seconds(m_options.maxBackoffSeconds)));
        log("reconnecting in " + std::to_string(delay.count()) + " ms");
        if (!sleepFor(delay))
            break;
    }
    writeStatus(false, "stopped");
}

AgentRuntime::SessionEnd AgentRuntime::session() {
    net::WebSocketTarget target;
    std::unique_ptr<net::WebSocketChannel> channel;
    try {
        target = net::webSocketTargetFor(m_state.serverUrl, "/api/v1/agent/ws");
        const unsigned short frontDoor = target.port;
        target.port = static_cast<unsigned short>(m_state.gatewayPort);
        target.headers["Authorization"] = "Bearer " + m_state.credential;
        net::UpgradedConnection upgraded;
        try {
            upgraded = net::connectWebSocket(target, m_tls.get(), std::chrono::seconds(15));
        } catch (const net::WebSocketRefused&) {
            throw;
        } catch (const std::exception& error) {
            // Enrolled when agents had a port of their own: a server with one front door serves them on the
            // port they enrolled through. Use it, and remember it.
            if (target.port == frontDoor)
                throw;
            log(std::string("agent port ") + std::to_string(target.port) + " unreachable (" + error.what() +
                "); trying the server's own port " + std::to_string(frontDoor));
            target.port = frontDoor;
            upgraded = net::connectWebSocket(target, m_tls.get(), std::chrono::seconds(15));
            m_state.gatewayPort = frontDoor;
            m_state.save(m_options.stateDirectory);
        }
        channel = std::make_unique<net::WebSocketChannel>(
            std::move(upgraded.connection), protocol::WsRole::Client, kMaxMessageBytes, kMaxQueuedBytes);
        channel->prime(upgraded.earlyBytes);
    } catch (const net::WebSocketRefused& refused) {
        log("the server refused the connection: " + std::string(refused.what()));
        writeStatus(false, refused.what());
        if (refused.code() == "pending_approval")
            return SessionEnd::Pending;
        if (refused.status() == 401)
            return SessionEnd::Revoked;
        return SessionEnd::Refused;
    } catch (const std::exception& error) {
        log(std::string("cannot connect: ") + error.what());
        writeStatus(false, error.what());
        return SessionEnd::Closed;
    }
    log("connected to " + target.host + ":" + std::to_string(target.port));
    m_connected = true;

    utsname uts{};
    uname(&uts);
    protocol::AgentHello hello;
    hello.agentVersion = BREEZE_AGENT_VERSION;
    const MachineIdentity machine = MachineIdentity::detect(m_state.identity);
    hello.hostname = machine.hostname;
    hello.os = machine.os;
    hello.platform = "linux";
    hello.arch = uts.machine;
    hello.capabilities = CommandExecutor::capabilities();
    hello.capabilities.emplace_back(msg::kCredential); // takes credential rotations
    channel->sendText(protocol::encodeEnvelope(hello.encode()));
    // Everything unacknowledged goes again, oldest first, after the hello, as the window allows.
    m_spool.markAllUnsent();
    m_window.clear();
    sendDue(*channel);
    writeStatus(true, "");

    auto lastPing = Clock::now();
    auto lastStatus = Clock::now();
    SessionEnd end = SessionEnd::Closed;
    std::string reason;
    std::vector<pollfd> fds;
    bool moreBuffered =
        false; // the last turn stopped at its budget: what it left is read next, without waiting
    while (!m_stopping) {
        fds = {{channel->fd(), static_cast<short>(POLLIN | (channel->wantsWrite() ? POLLOUT : 0)), 0},
               {m_wakeFd, POLLIN, 0}};
        m_sessions.addPollFds(fds);
        // OpenSSL may already hold decrypted bytes that poll cannot see: read first when it might.
        // Not a moment's wait while something is left to read or a transfer may go on (a writable socket
        // wakes the loop anyway; a full one does not, so a drain stopped at its budget gets its next turn
        // here).
        const bool busy = moreBuffered || (m_sessions.wantsTurn() && !channel->wantsWrite());
        const int ready = ::poll(fds.data(), fds.size(), busy ? 0 : 1000);
        if (ready < 0 && errno != EINTR)
            break;
        m_sessions.ready(fds, 2);
        if (fds[1].revents & POLLIN) {
            std::uint64_t count = 0;
            [[maybe_unused]] const auto got = ::read(m_wakeFd, &count, sizeof count);
        }
        if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) || moreBuffered) {
            // At most a couple of MiB per turn (an upload's chunks are written as they are taken): the loop
            // comes round to the terminals between them.
            std::size_t takenThisTurn = 0;
            if (!channel->readAvailable(
                    [&](protocol::WsMessage&& message) {
                        takenThisTurn += message.payload.size();
                        if (message.opcode == protocol::WsOpcode::Text)
                            handle(*channel, message.payload);
                        else if (message.opcode == protocol::WsOpcode::Binary)
                            m_sessions.frame(message.payload);
                    },
                    [&] { return takenThisTurn < 2 * kMiB; })) {
                reason = channel->closeReason();
                if (reason.find("4001") != std::string::npos)
                    end = SessionEnd::Revoked;
                break;
            }
            moreBuffered = takenThisTurn >= 2 * kMiB;
        }
        {
            std::deque<std::string> outgoing;
            {
                std::lock_guard lock(m_mutex);
                outgoing.swap(m_outgoing);
            }
            for (auto& text : outgoing)
                channel->sendText(text);
        }
        sendDue(*channel);
        m_sessions.tick();
        m_sessions.send(*channel);
        const auto now = Clock::now();
        if (now - channel->lastReceived() > std::chrono::seconds(3 * m_options.keepaliveSeconds)) {
            reason = "the server stopped answering";
            channel->close(protocol::kCloseGoingAway, reason);
            break;
        }
        if (now - lastPing > std::chrono::seconds(m_options.keepaliveSeconds)) {
            channel->sendPing();
            lastPing = now;
        }
        if (!channel->flush()) {
            reason = channel->closeReason();
            break;
        }
        if (now - lastStatus > std::chrono::seconds(5)) {
            writeStatus(true, "");
            lastStatus = now;
        }
    }
    m_connected = false;
    m_sessions.linkLost();
    if (m_stopping) {
        channel->close(protocol::kCloseGoingAway, "agent stopping");
        return SessionEnd::Stopped;
    }
    log("connection lost: " + (reason.empty() ? std::string("closed") : reason));
    writeStatus(false, reason);
    return end;
}

void AgentRuntime::sendDue(net::WebSocketChannel& channel) {
    // Unsent items, and sent ones whose ack is overdue, oldest first: no more out at once than the server's
    // window (the rest follows as acknowledgements come back), and at most a few MiB queued.
    while (channel.queuedBytes() < 4 * kMiB) {
        const auto now = Clock::now();
        const std::size_t room = m_window.room(now);
        if (room == 0)
            return;
        const auto items = m_spool.takeDue(m_options.resendAfterSeconds, std::min<std::size_t>(room, 200));
        if (items.empty())
            return;
        for (const auto& item : items) {
            m_window.sent(item.id, now);
            channel.sendText(item.body);
        }
        if (!channel.flush())
            return;
    }
}

void AgentRuntime::handle(net::WebSocketChannel& channel, const std::string& text) {
    const auto decoded = protocol::decodeEnvelope(text);
    if (!decoded) {
        log("ignoring a malformed message from the server: " + decoded.error);
        return;
    }
    const protocol::Envelope& envelope = *decoded.envelope;
    const auto type = protocol::serverToAgentType(envelope.type);
    if (!type) {
        log("ignoring a message of a type this agent does not know: " + envelope.type);
        return;
    }
    try {
        switch (*type) {
        case protocol::ServerToAgent::Ack: {
            const auto ack = protocol::Ack::decode(envelope);
            if (!ack.ok)
                log("the server refused message " + ack.ref + " for good: " + ack.error);
            m_spool.remove(ack.ref);
            m_window.acknowledged(ack.ref);
            break;
        }
        case protocol::ServerToAgent::Welcome:
            welcome(protocol::Welcome::decode(envelope));
            break;
        case protocol::ServerToAgent::Command:
            onCommand(protocol::CommandRequest::decode(envelope));
            break;
        case protocol::ServerToAgent::Credential:
            storeCredential(channel, protocol::NewCredential::decode(envelope));
            break;
        case protocol::ServerToAgent::CommandCancel: {
            const auto cancel = protocol::CommandCancel::decode(envelope);
            std::lock_guard lock(m_mutex);
            if (const auto it = m_running.find(cancel.commandId); it != m_running.end())
                *it->second = true;
            break;
        }
        case protocol::ServerToAgent::SessionOpen:
            m_sessions.open(protocol::SessionOpen::decode(envelope));
            break;
        case protocol::ServerToAgent::SessionDetach:
            m_sessions.detach(protocol::SessionDetach::decode(envelope).channel);
            break;
        case protocol::ServerToAgent::SessionClose: {
            const auto close = protocol::SessionClose::decode(envelope);
            m_sessions.close(close.sessionId, close.reason.empty() ? "closed by the server" : close.reason);
            break;
        }
        case protocol::ServerToAgent::Error:
            log("the server reported: " + envelope.fields.value("message", std::string("an error")));
            break;
        }
    } catch (const protocol::MessageError& error) {
        log("ignoring a message the agent does not understand: " + std::string(error.what()));
    }
}

void AgentRuntime::welcome(const protocol::Welcome& welcome) {
    const bool changed = m_heartbeatSeconds.exchange(welcome.heartbeatSeconds) != welcome.heartbeatSeconds;
    m_inventorySeconds = welcome.inventorySeconds;
    m_window.setCapacity(static_cast<std::size_t>(welcome.ackWindow));
    m_spool.setSetting("heartbeat_seconds", std::to_string(welcome.heartbeatSeconds));
    m_spool.setSetting("inventory_seconds", std::to_string(welcome.inventorySeconds));
    m_backoff.reset();
    if (changed) {
        m_reschedule = true; // the reporter picks up the new interval now
        m_sleep.notify_all();
    }
}

void AgentRuntime::storeCredential(net::WebSocketChannel& channel, const protocol::NewCredential& fresh) {
    // Stored durably before the server is told, so whichever of the two credentials the server accepts next,
    // this agent holds it.
    AgentState next = m_state;
    next.credential = fresh.credential;
    next.save(m_options.stateDirectory);
    m_state.credential = fresh.credential; // only the link thread reads it
    channel.sendText(protocol::encodeEnvelope(
        protocol::CredentialSaved{crypto::Digest::sha256Hex(fresh.credential)}.encode()));
    log("received a new device credential and stored it");
}

void AgentRuntime::onCommand(const protocol::CommandRequest& request) {
    const auto seen = m_spool.acceptCommand(request.commandId);
    if (seen == Spool::CommandState::Finished)
        return; // its result is in the spool (or already stored): never run twice
    if (seen == Spool::CommandState::Running) {
        std::lock_guard lock(m_mutex);
        if (m_running.contains(request.commandId)) {
            protocol::CommandUpdate running{
                request.commandId, protocol::kCommandRunning, {}, nlohmann::json::object(), {}};
            m_outgoing.push_back(
                protocol::encodeEnvelope(running.encode("r" + crypto::SecureRandom::token(8))));
            wake();
            return;
        }
    }
    if (seen == Spool::CommandState::Running) {
        // Accepted by an earlier run of the agent that ended before finishing: report, do not run again.
        protocol::CommandUpdate failed{
            request.commandId,
            protocol::kCommandFailed,
            {},
            nlohmann::json::object(),
            "the agent restarted while this command was running; it was not run again"};
        m_spool.add(Spool::Kind::Result, "",
                    [&](const std::string& id) { return protocol::encodeEnvelope(failed.encode(id)); });
        m_spool.finishCommand(request.commandId);
        wake();
        return;
    }
    std::lock_guard lock(m_mutex);
    m_running[request.commandId] = std::make_shared<std::atomic<bool>>(false);
    m_waitingCommands.push_back(request);
    startCommandWorkers();
}

void AgentRuntime::startCommandWorkers() {
    // Threads that ended are joined here, so none is left behind however long the agent runs.
    m_commandWorkers.remove_if([](CommandWorker& worker) {
        if (!worker.done)
            return false;
        worker.thread.join();
        return true;
    });
    const auto busy = static_cast<std::size_t>(m_commandWorkers.size());
    if (m_waitingCommands.empty() || busy >= static_cast<std::size_t>(m_options.maxConcurrentCommands))
        return;
    auto& worker = m_commandWorkers.emplace_back();
    try {
        worker.thread = std::thread([this] { commandWorker(); });
    } catch (const std::system_error& error) {
        m_commandWorkers.pop_back();
        if (!m_commandWorkers.empty())
            return; // a running worker takes the waiting command when it is free
        // No thread at all: the command cannot run now. Say so instead of leaving it waiting forever.
        const protocol::CommandRequest request = m_waitingCommands.front();
        m_waitingCommands.pop_front();
        m_running.erase(request.commandId);
        protocol::CommandUpdate failed{request.commandId,
                                       protocol::kCommandFailed,
                                       {},
                                       nlohmann::json::object(),
                                       std::string("the agent could not start a thread: ") + error.what()};
        m_spool.add(Spool::Kind::Result, "",
                    [&](const std::string& id) { return protocol::encodeEnvelope(failed.encode(id)); });
        m_spool.finishCommand(request.commandId);
        wake();
    }
}

void AgentRuntime::commandWorker() {
    for (;;) {
        protocol::CommandRequest request;
        std::shared_ptr<std::atomic<bool>> cancel;
        {
            std::lock_guard lock(m_mutex);
            if (m_waitingCommands.empty() || m_stopping) {
                for (auto& worker : m_commandWorkers)
                    if (worker.thread.get_id() == std::this_thread::get_id())
                        worker.done = true;
                return;
            }
            request = std::move(m_waitingCommands.front());
            m_waitingCommands.pop_front();
            cancel = m_running[request.commandId];
            protocol::CommandUpdate running{
                request.commandId, protocol::kCommandRunning, {}, nlohmann::json::object(), {}};
            m_outgoing.push_back(
                protocol::encodeEnvelope(running.encode("r" + crypto::SecureRandom::token(8))));
        }
        wake();
        runCommand(request, *cancel);
    }
}

void AgentRuntime::runCommand(const protocol::CommandRequest& request, std::atomic<bool>& cancel) {
    protocol::CommandUpdate update;
    try {
        if (cancel)
            update = {request.commandId,
                      protocol::kCommandCancelled,
                      {},
                      nlohmann::json::object(),
                      "cancelled before it started"};
        else
            update = m_executor.execute(request, cancel);
    } catch (const std::exception& error) {
        update = {request.commandId, protocol::kCommandFailed, {}, nlohmann::json::object(), error.what()};
    }
    // The result is on disk before anything else happens: it survives restarts and outages.
    m_spool.add(Spool::Kind::Result, "",
                [&](const std::string& id) { return protocol::encodeEnvelope(update.encode(id)); });
    m_spool.finishCommand(request.commandId);
    {
        std::lock_guard lock(m_mutex);
        m_running.erase(request.commandId);
    }
    wake();
}

void AgentRuntime::spoolOutput(const protocol::CommandOutput& chunk) {
    // Output is spooled like results: a network cut or a restart loses none of it.
    m_spool.add(Spool::Kind::Result, "",
                [&](const std::string& id) { return protocol::encodeEnvelope(chunk.encode(id)); });
    wake();
}

int AgentRuntime::collectInventory(bool force) {
    int collected = 0;
    for (const auto& section : InventoryCollector::sections()) {
        if (m_stopping)
            break;
        try {
            protocol::InventoryReport report;
            report.section = section;
            report.data = protocol::InventoryReport::canonicalSection(section, m_inventory.collect(section));
            report.collectedAtMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count();
            const std::string digest = crypto::Digest::sha256Hex(report.data.dump());
            {
                std::lock_guard lock(m_mutex);
                if (!force && m_inventoryDigests[section] == digest)
                    continue; // unchanged since the last report
                m_inventoryDigests[section] = digest;
            }
            m_spool.add(Spool::Kind::Inventory, "inventory:" + section,
                        [&](const std::string& id) { return protocol::encodeEnvelope(report.encode(id)); });
            ++collected;
        } catch (const std::exception& error) {
            log("inventory section " + section + " not collected: " + error.what());
        }
    }
    wake();
    return collected;
}

void AgentRuntime::reporterLoop() {
    auto nextHeartbeat = Clock::now();
    auto nextInventory = Clock::now();
    int heartbeatSeconds = m_heartbeatSeconds;
    while (!m_stopping) {
        const auto now = Clock::now();
        if (m_heartbeatSeconds != heartbeatSeconds && m_options.heartbeatMs == 0) {
            heartbeatSeconds = m_heartbeatSeconds;
            nextHeartbeat = std::min(nextHeartbeat, now + jittered(heartbeatSeconds));
        }
        if (now >= nextHeartbeat) {
            try {
                const auto beat = m_metrics.sample();
                m_spool.add(Spool::Kind::Metric, "",
                            [&](const std::string& id) { return protocol::encodeEnvelope(beat.encode(id)); });
                wake();
                if (!m_connected)
                    writeStatus(false, m_lastError.value()); // the spool grows: show it
            } catch (const std::exception& error) {
                log(std::string("heartbeat not recorded: ") + error.what());
            }
            nextHeartbeat = m_options.heartbeatMs > 0 ? now + std::chrono::milliseconds(m_options.heartbeatMs)
                                                      : now + jittered(heartbeatSeconds);
        }
        if (now >= nextInventory) {
            collectInventory(false);
            nextInventory = now + jittered(m_inventorySeconds);
        }
        const auto wait = std::min(nextHeartbeat, nextInventory) - Clock::now();
        std::unique_lock lock(m_mutex);
        m_sleep.wait_for(lock,
                         std::max(std::chrono::milliseconds(10),
                                  std::chrono::duration_cast<std::chrono::milliseconds>(wait)),
                         [this] { return m_stopping.load() || m_reschedule.exchange(false); });
    }
}

void AgentRuntime::writeStatus(bool connected, const std::string& lastError) {
    std::lock_guard lock(m_statusMutex);
    if (!connected)
        m_lastError.set(lastError);
    try {
        const auto counts = m_spool.counts();
        writePrivateFile((std::filesystem::path(m_options.stateDirectory) / "status.json").string(),
                         nlohmann::json{{"connected", connected},
                                        {"device_id", m_state.deviceId},
                                        {"last_error", lastError},
                                        {"heartbeat_seconds", m_heartbeatSeconds.load()},
                                        {"spool",
                                         {{"metrics", counts.metrics},
                                          {"inventory", counts.inventory},
                                          {"results", counts.results},
                                          {"recorded_metrics", counts.recordedMetrics},
                                          {"dropped_metrics", counts.droppedMetrics}}}}
                                 .dump(2) +
                             "\n");
    } catch (const std::exception&) {
        // Status is for people and tests; the agent works without it.
    }
}

} // namespace breeze::agent
