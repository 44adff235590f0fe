#include "sessions/SessionService.h"

#include "app/ServerContext.h"
#include "audit/AuditLog.h"
#include "crypto/Digest.h"
#include "crypto/SecureRandom.h"
#include "db/ScopedTransaction.h"
#include "events/EventHub.h"
#include "gateway/FrontDoor.h"
#include "ops/JsonLogger.h"
#include "protocol/WebSocketCodec.h"
#include "sessions/SessionStore.h"

namespace breeze::server {

namespace {
AgentAdmission refusal(int status, std::string code, std::string message) {
    AgentAdmission admission;
    admission.status = status;
    admission.code = std::move(code);
    admission.message = std::move(message);
    return admission;
}

void auditEnding(ScopedTransaction& tx, const std::string& sessionId, const SessionStore::Ending& ending) {
    AuditEvent event;
    event.partnerId = ending.partnerId;
    event.orgId = ending.orgId;
    event.actorType = ending.actorType;
    event.actorId = ending.actorId;
    event.actorLabel = ending.actorLabel;
    event.action = "sessions.end";
    event.resourceType = "remote_session";
    event.resourceId = sessionId;
    const auto& r = ending.record;
    event.details = {{"kind", ending.kind},
                     {"device_id", ending.deviceId},
                     {"started_at", r["started_at"]},
                     {"ended_at", r["ended_at"]},
                     {"reason", r["end_reason"]},
                     {"exit_code", r["exit_code"]},
                     {"bytes_to_device", r["bytes_to_device"]},
                     {"bytes_from_device", r["bytes_from_device"]}};
    AuditLog::record(tx, event);
}
} // namespace

SessionService::SessionService(ServerContext& server, FrontDoor& door, EventHub& events)
    : m_server(server), m_door(door), m_events(events), m_recorder(server.pool, server.config.sessionsRecord),
      // One recording may take a quarter of the recordings' budget: one device cannot push every other
      // recording out.
      m_desktopRecorder(server.pool,
                        static_cast<std::uint64_t>(server.config.sessionsRecordingMaxMb) * 1024 * 1024 / 4),
      m_relay(
          door, [this](const RelayReport& report) { record(report); }, &m_recorder, &m_desktopRecorder),
      m_workers(2, 20'000) {}

SessionService::~SessionService() {
    stop();
}

void SessionService::start() {
    m_subscription = m_events.subscribe([this](const nlohmann::json& event) { closeRequested(event); });
    m_recorder.start();
    m_desktopRecorder.start();
    m_sweeper = std::thread([this] { sweepLoop(); });
}

void SessionService::stop() {
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping)
            return;
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_subscription >= 0)
        m_events.unsubscribe(m_subscription);
    if (m_sweeper.joinable())
        m_sweeper.join();
    m_workers.stop();
    m_recorder.stop();
    m_desktopRecorder.stop();
}

void SessionService::admit(const std::string& credential, const std::string& address,
                           std::function<void(AgentAdmission)> done) {
    if (!credential.starts_with("rs_") || credential.size() > 128) {
        done(refusal(401, "invalid_token", "present the session token the session API gave"));
        return;
    }
    const bool queued = m_workers.post(address, [this, credential, done] {
        try {
            auto lease = m_server.pool.acquire();
            ScopedTransaction tx(*lease, SystemAccess{"attach a console to a live session by its token"});
            SessionStore store(tx);
            const auto redeemed = store.redeem(crypto::Digest::sha256Hex(credential));
            if (!redeemed) {
                done(refusal(
                    401, "invalid_token",
                    "the session token is unknown, used or expired; ask the session API for a new one"));
                return;
            }
            if (!m_door.connected(redeemed->deviceId)) {
                // The token stays good (nothing is committed): the console may try the right node.
                const auto url = store.relayUrlOf(redeemed->deviceId);
                if (url && *url != m_server.config.nodeUrl())
                    done(refusal(409, "wrong_node", "this device's sessions are relayed by " + *url));
                else
                    done(refusal(409, "device_offline", "the device is offline"));
                return;
            }
            tx.commit();
            SessionRelay::Attachment attachment;
            attachment.sessionId = redeemed->id;
            attachment.kind =
                protocol::sessionKindNamed(redeemed->kind).value_or(protocol::SessionKind::Terminal);
            auto& open = attachment.open;
            open.sessionId = redeemed->id;
            open.kind = attachment.kind;
            open.resume = redeemed->resume;
            const auto& grants = redeemed->grants;
            open.terminal.cols = grants.value("cols", 80);
            open.terminal.rows = grants.value("rows", 24);
            open.terminal.shell = grants.value("shell", std::string());
            open.terminal.user = grants.value("user", std::string());
            open.terminal.command = grants.value("command", std::string());
            open.terminal.echo = grants.value("echo", true);
            open.desktop.viewOnly = grants.value("view_only", false);
            open.desktop.record = grants.value("record", false);
            open.files.root = grants.value("root", std::string("/"));
            open.files.download = grants.value("download", false);
            open.files.upload = grants.value("upload", false);
            open.files.remove = grants.value("remove", false);
            open.idleTimeoutSeconds = m_server.config.sessionsIdleTimeoutSeconds;
            open.keepDetachedSeconds = m_server.config.sessionsKeepDetachedSeconds;
            AgentAdmission admission;
            admission.admitted = true;
            admission.status = 101;
            admission.session.key = "relay:" + crypto::SecureRandom::uuid();
            admission.session.deviceId = redeemed->deviceId;
            admission.session.partnerId = redeemed->partnerId;
            admission.session.orgId = redeemed->orgId;
            admission.session.siteId = redeemed->siteId;
            {
                std::lock_guard lock(m_mutex);
                m_admitted.insert_or_assign(admission.session.key, std::move(attachment));
            }
            done(std::move(admission));
        } catch (const std::exception& error) {
            logger().warning("session attachment failed", {{"error", error.what()}});
            done(refusal(503, "unavailable", "the server cannot attach sessions right now; try again later"));
        }
    });
    if (!queued)
        done(refusal(503, "busy", "the server is busy; try again later"));
}

void SessionService::opened(const AgentSession& session) {
    std::optional<SessionRelay::Attachment> attachment;
    {
        std::lock_guard lock(m_mutex);
        if (const auto it = m_admitted.find(session.key); it != m_admitted.end()) {
            attachment = std::move(it->second);
            m_admitted.erase(it);
        }
    }
    if (!attachment)
        return;
    const std::string sessionId = attachment->sessionId;
    if (!m_relay.attach(session, std::move(*attachment))) {
        m_door.closeSession(session, protocol::kCloseDeviceGone, "the device disconnected");
        return;
    }
    m_workers.post(
        sessionId,
        [this, sessionId] {
            try {
                auto lease = m_server.pool.acquire();
                ScopedTransaction tx(*lease, SystemAccess{"record a console attaching to a session"});
                SessionStore(tx).markActive(sessionId);
                tx.commit();
            } catch (const std::exception& error) {
                logger().warning("could not record a session attachment",
                                 {{"session_id", sessionId}, {"error", error.what()}});
            }
        },
        StrandPool::Admission::Always);
}

void SessionService::abandoned(const AgentSession& session) {
    std::lock_guard lock(m_mutex);
    m_admitted.erase(session.key);
}

bool SessionService::received(const AgentSession&, std::string&, const MessageTicket&) {
    // A relay connection carries only stream frames; text is ignored (its ticket is released at once).
    return true;
}

bool SessionService::streamReceived(const AgentSession& session, std::string& frame) {
    m_relay.fromConsole(session, frame);
    return true;
}

void SessionService::closed(const AgentSession& session, const std::string&) {
    m_relay.consoleGone(session);
    std::lock_guard lock(m_mutex);
    m_admitted.erase(session.key);
}

void SessionService::agentClosed(const AgentSession& agent, const protocol::SessionClosed& closed) {
    m_relay.agentClosed(agent, closed);
}

void SessionService::record(const RelayReport& report) {
    m_workers.post(
        report.sessionId,
        [this, report] {
            try {
                auto lease = m_server.pool.acquire();
                ScopedTransaction tx(*lease, SystemAccess{"record a live session's progress"});
                SessionStore store(tx);
                if (report.kind == RelayReport::Kind::Detached) {
                    store.markDetached(report.sessionId, report.bytesToDevice, report.bytesFromDevice);
                } else if (const auto ending = store.markClosed(report.sessionId, report.reason,
                                                                report.exitCode, report.bytesToDevice,
                                                                report.bytesFromDevice, report.deviceId)) {
                    auditEnding(tx, report.sessionId, *ending);
                    m_recorder.end(report.sessionId);
                }
                tx.commit();
            } catch (const std::exception& error) {
                logger().warning("could not record a live session's progress",
                                 {{"session_id", report.sessionId}, {"error", error.what()}});
            }
        },
        StrandPool::Admission::Always);
}

void SessionService::closeRequested(const nlohmann::json& event) {
    if (event.value("kind", std::string()) != "session_closed")
        return;
    const auto sessionId = event.value("session_id", std::string());
    const auto deviceId = event.value("device_id", std::string());
    const auto reason = event.value("reason", std::string("closed"));
    if (sessionId.empty() || m_relay.close(sessionId, reason))
        return;
    // Detached here, or not relayed at all: the agent holding it drops it (if it is connected to this node).
    m_door.send(deviceId, protocol::encodeEnvelope(protocol::SessionClose{sessionId, reason}.encode()));
}

void SessionService::sweepLoop() {
    const int keep = m_server.config.sessionsKeepDetachedSeconds;
    std::unique_lock lock(m_mutex);
    while (!m_wake.wait_for(lock, std::chrono::seconds(std::clamp(keep / 4, 1, 30)),
                            [this] { return m_stopping; })) {
        lock.unlock();
        try {
            auto lease = m_server.pool.acquire();
            ScopedTransaction tx(*lease, SystemAccess{"close live sessions nobody came back to"});
            SessionStore store(tx);
            // The agent drops a detached session after `keep`; the record follows a little later.
            const auto endings = store.closeAbandoned(keep + 5);
            // A session lasts only as long as its maker may act: a disabled user's, a revoked key's, or one
            // whose roles no longer grant that kind of session on the device's site ends.
            const auto revoked = store.withoutAuthority(m_relay.sessionIds());
            for (const auto& ending : endings) {
                auditEnding(tx, ending.record["id"], ending);
                m_recorder.end(ending.record["id"]);
            }
            const auto removed = store.pruneRecordings(m_server.config.sessionsRecordingRetentionDays,
                                                       m_server.config.sessionsRecordingMaxMb * 1024 * 1024);
            if (removed > 0)
                logger().info("session recordings removed by retention", {{"count", removed}});
            tx.commit();
            for (const auto& ending : endings)
                m_door.send(
                    ending.deviceId,
                    protocol::encodeEnvelope(
                        protocol::SessionClose{ending.record["id"], ending.record["end_reason"]}.encode()));
            for (const auto& id : revoked)
                m_relay.close(id, "the session's maker no longer has access");
        } catch (const std::exception& error) {
            logger().warning("could not close abandoned sessions", {{"error", error.what()}});
        }
        lock.lock();
    }
}

} // namespace breeze::server
