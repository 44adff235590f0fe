#include "agents/AgentService.h"

#include "agents/CommandStore.h"
#include "agents/DevicePresence.h"
#include "agents/InventoryStore.h"
#include "app/ServerContext.h"
#include "crypto/Digest.h"
#include "crypto/SecureRandom.h"
#include "db/DatabaseUnavailable.h"
#include "db/ScopedTransaction.h"
#include "devices/DeviceEvents.h"
#include "gateway/FrontDoor.h"
#include "ops/JsonLogger.h"
#include "patches/PatchStore.h"
#include "protocol/MessageFields.h"
#include "protocol/PatchMessages.h"
#include "protocol/SessionMessages.h"
#include "protocol/WebSocketCodec.h"

#include <algorithm>
#include <chrono>
#include <pqxx/pqxx>

namespace breeze::server {

namespace msg = protocol::agent_message;

namespace {
std::int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

AgentAdmission refusal(int status, std::string code, std::string message) {
    AgentAdmission admission;
    admission.status = status;
    admission.code = std::move(code);
    admission.message = std::move(message);
    return admission;
}
} // namespace

AgentService::AgentService(ServerContext& server, std::size_t workers)
    : m_server(server), m_strands(workers, 20'000), m_admissions(2, 2'000),
      m_metrics(server.pool, 2000, std::chrono::milliseconds(200), 200'000) {
    m_metrics.publishTo(m_feed);
}

AgentService::~AgentService() {
    stop();
}

void AgentService::stop() {
    m_admissions.stop();
    m_strands.stop();
    m_metrics.stop();
}

void AgentService::admit(const std::string& credential, const std::string& address,
                         std::function<void(AgentAdmission)> done) {
    if (!credential.starts_with("dev_") || credential.size() > 128) {
        done(
            refusal(401, "invalid_credential", "the device credential is not valid; enroll the agent again"));
        return;
    }
    // Credentials are checked on threads of their own, in turns by address: a flood of bad ones from
    // anywhere never waits in front of a real agent's messages.
    const bool queued = m_admissions.post(address, [this, credential, address, done] {
        try {
            auto lease = m_server.pool.acquire();
            ScopedTransaction tx(*lease, SystemAccess{"authenticate an agent by its device credential"});
            const std::string hash = crypto::Digest::sha256Hex(credential);
            const auto rows =
                tx.sql().exec_params("SELECT id, partner_id, org_id, site_id, approval, credential_hash = $1 "
                                     "AS current_credential, "
                                     "next_credential_hash = $1 AS rotated_credential FROM devices WHERE "
                                     "credential_hash = $1 OR (revoked_at IS NULL "
                                     "AND "
                                     "(pending_credential_hash = $1 OR next_credential_hash = $1))",
                                     hash);
            const auto rotated = [&] {
                return !rows.empty() && !rows[0]["rotated_credential"].is_null() &&
                       rows[0]["rotated_credential"].as<bool>();
            };
            if (rotated()) {
                // A rotated credential the agent stored but could not confirm before it lost the connection:
                // using it is the confirmation.
                tx.sql().exec_params(
                    "UPDATE devices SET credential_hash = next_credential_hash, next_credential_hash = NULL, "
                    "credential_rotated_at = now(), credential_rotation_requested = false WHERE id = $1 AND "
                    "next_credential_hash = $2 AND revoked_at IS NULL",
                    rows[0]["id"].as<std::string>(), hash);
            }
            tx.commit();
            if (!rows.empty() && !rows[0]["current_credential"].as<bool>() && !rotated()) {
                // A machine that enrolled under a live device's identity: nothing until it is approved.
                done(
                    refusal(403, "pending_approval",
                            "this machine enrolled under an identity that already has a device; it waits for "
                            "an administrator to approve it"));
                return;
            }
            if (rows.empty()) {
                logger().info("agent refused",
                              {{"address", address}, {"reason", "unknown or revoked credential"}});
                done(refusal(401, "invalid_credential",
                             "the device credential is not valid (revoked, deleted or enrolled again)"));
                return;
            }
            if (rows[0]["approval"].as<std::string>() == "pending") {
                done(refusal(403, "pending_approval",
                             "this device is waiting for an administrator to approve it"));
                return;
            }
            AgentAdmission admission;
            admission.admitted = true;
            admission.status = 101;
            const auto& device = rows[0];
            admission.session.deviceId = device["id"].as<std::string>();
            admission.session.key = admission.session.deviceId;
            admission.session.partnerId = device["partner_id"].as<std::string>();
            admission.session.orgId = device["org_id"].as<std::string>();
            admission.session.siteId = device["site_id"].as<std::string>();
            done(std::move(admission));
        } catch (const std::exception& error) {
            logger().warning("agent admission failed", {{"address", address}, {"error", error.what()}});
            done(refusal(503, "unavailable",
                         "the server cannot check credentials right now; try again later"));
        }
    });
    if (!queued)
        done(refusal(503, "busy", "the server is busy; try again later"));
}

void AgentService::opened(const AgentSession& session) {
    logger().debug("agent connected", {{"device_id", session.deviceId}, {"address", session.address}});
}

bool AgentService::received(const AgentSession& session, std::string& payload, const MessageTicket& ticket) {
    if (!m_strands.hasRoom())
        return false;
    ++m_messages;
    m_strands.post(
        session.deviceId,
        [this, session, payload = std::move(payload), ticket] { handle(session, payload, ticket); },
        StrandPool::Admission::Always);
    return true;
}

bool AgentService::streamReceived(const AgentSession& session, std::string& frame) {
    if (!m_streams)
        return false;
    m_streams->fromAgent(session, frame);
    return true;
}

void AgentService::closed(const AgentSession& session, const std::string& reason) {
    logger().debug("agent disconnected", {{"device_id", session.deviceId}, {"reason", reason}});
    if (m_streams)
        m_streams->agentGone(session);
    m_strands.post(
        session.deviceId,
        [this, session, reason] {
            try {
                auto lease = m_server.pool.acquire();
                ScopedTransaction tx(*lease, SystemAccess{"record that an agent disconnected"});
                DevicePresence::offline(tx, session, reason);
                tx.commit();
            } catch (const std::exception& error) {
                // The silent-device sweep marks it offline once the database is back.
                logger().warning("could not record an agent going offline",
                                 {{"device_id", session.deviceId}, {"error", error.what()}});
            }
        },
        StrandPool::Admission::Always);
}

void AgentService::handle(const AgentSession& session, const std::string& payload,
                          const MessageTicket& ticket) {
    // Parsed here, on a strand thread: an event loop never spends its time on an agent's JSON.
    auto decoded = protocol::decodeEnvelope(payload);
    if (!decoded) {
        sendError(session, "bad_message", decoded.error);
        return;
    }
    const protocol::Envelope& envelope = *decoded.envelope;
    const auto type = protocol::agentToServerType(envelope.type);
    if (!type) {
        sendError(session, "unknown_type", "unknown message type \"" + envelope.type + "\"", envelope.id);
        return;
    }
    try {
        switch (*type) {
        case protocol::AgentToServer::Hello:
            hello(session, envelope);
            break;
        case protocol::AgentToServer::Heartbeat:
            heartbeat(session, envelope, ticket);
            break;
        case protocol::AgentToServer::Inventory: {
            const auto report = protocol::InventoryReport::decode(envelope);
            storeAndAcknowledge(session, envelope.id, {"store an authenticated agent's inventory"},
                                [&](ScopedTransaction& tx) { InventoryStore::apply(tx, session, report); });
            m_feed.inventoryStored(session, report);
            break;
        }
        case protocol::AgentToServer::CommandUpdate:
            commandUpdate(session, envelope);
            break;
        case protocol::AgentToServer::SessionClosed:
            if (m_streams)
                m_streams->agentClosed(session, protocol::SessionClosed::decode(envelope));
            break;
        case protocol::AgentToServer::CommandOutput: {
            const auto output = protocol::CommandOutput::decode(envelope);
            storeAndAcknowledge(
                session, envelope.id, {"store an authenticated agent's script output"},
                [&](ScopedTransaction& tx) { CommandStore::appendOutput(tx, session, output); });
            break;
        }
        case protocol::AgentToServer::CredentialSaved:
            credentialSaved(session, envelope);
            break;
        }
    } catch (const protocol::MessageError& error) {
        // Malformed for good: tell the agent so it drops the message instead of resending it forever.
        if (!envelope.id.empty())
            acknowledge(session, envelope.id, false, error.what());
        else
            sendError(session, "bad_message", error.what());
    } catch (const std::exception& error) {
        // Not acknowledged: the agent keeps it in its spool and sends it again.
        logger().warning("agent message not stored",
                         {{"device_id", session.deviceId}, {"type", envelope.type}, {"error", error.what()}});
        if (*type == protocol::AgentToServer::Hello && m_gateway)
            m_gateway->closeSession(session, protocol::kCloseTryAgainLater,
                                    "server cannot store the session now");
    }
}

void AgentService::commandUpdate(const AgentSession& session, const protocol::Envelope& envelope) {
    const auto update = protocol::CommandUpdate::decode(envelope);
    bool followUp = false;
    storeAndAcknowledge(
        session, envelope.id, {"store an authenticated agent's command result"}, [&](ScopedTransaction& tx) {
            const auto finished = CommandStore::applyUpdate(tx, session, update);
            // A patch command's result moves the device's patch states with it.
            if (!finished || !protocol::isPatchCommand(finished->type))
                return;
            if (finished->type == protocol::kPatchScanCommand)
                PatchStore::applyScan(tx, session, update);
            else
                followUp =
                    PatchStore::applyInstall(tx, session, update, finished->type, finished->deploymentId);
            // Consoles refresh the device's missing and failed counts and its pending reboot.
            recordDeviceEvent(tx, subjectOf(session), "patches_changed", {{"command_id", update.commandId}});
        });
    if (update.final())
        m_feed.resultStored(session, update);
    if (followUp)
        commandsQueued(session.deviceId); // the reboot the device's patch policy asks for
}

void AgentService::storeAndAcknowledge(const AgentSession& session, const std::string& id,
                                       SystemAccess access,
                                       const std::function<void(ScopedTransaction&)>& store) {
    auto lease = m_server.pool.acquire();
    ScopedTransaction tx(*lease, access);
    store(tx);
    tx.commit();
    acknowledge(session, id, true); // only once it is stored: otherwise the agent sends it again
}

void AgentService::hello(const AgentSession& session, const protocol::Envelope& envelope) {
    const auto hello = protocol::AgentHello::decode(envelope);
    {
        auto lease = m_server.pool.acquire();
        ScopedTransaction tx(*lease, SystemAccess{"record that an agent came online"});
        DevicePresence::online(tx, session, hello, m_server.config.nodeUrl());
        tx.commit();
    }
    protocol::Welcome welcome;
    welcome.heartbeatSeconds = m_server.config.agentHeartbeatSeconds;
    welcome.inventorySeconds = m_server.config.agentInventorySeconds;
    welcome.serverVersion = BREEZE_VERSION;
    welcome.ackWindow = m_server.config.gatewayMessageWindow;
    if (m_gateway)
        m_gateway->reply(session, protocol::encodeEnvelope(welcome.encode()));
    deliver(session, true);
    if (hello.capabilities.end() !=
        std::find(hello.capabilities.begin(), hello.capabilities.end(), std::string(msg::kCredential)))
        rotateIfDue(session, false);
}

void AgentService::rotateIfDue(const AgentSession& session, bool requested) {
    const std::string credential = "dev_" + crypto::SecureRandom::token(32);
    {
        auto lease = m_server.pool.acquire();
        ScopedTransaction tx(*lease, SystemAccess{"rotate an agent's credential"});
        // At hello the agent has just proved the credential it holds, so an unconfirmed earlier rotation may
        // be replaced; during a session it may not: the agent could have stored that one already, and would
        // be left holding a credential that matches nothing.
        const auto due = tx.sql().exec_params(
            "UPDATE devices SET next_credential_hash = $2 WHERE id = $1 AND revoked_at IS NULL AND "
            "(NOT $3 OR next_credential_hash IS NULL) AND ($3 OR credential_rotation_requested OR ($4 > 0 "
            "AND "
            "credential_rotated_at < now() - make_interval(days => $4))) RETURNING 1",
            session.deviceId, crypto::Digest::sha256Hex(credential), requested,
            m_server.config.agentCredentialRotationDays);
        tx.commit();
        if (due.empty())
            return;
    }
    // The old credential keeps working until the agent confirms the new one is stored.
    if (m_gateway)
        m_gateway->reply(session, protocol::encodeEnvelope(protocol::NewCredential{credential}.encode()));
}

void AgentService::credentialSaved(const AgentSession& session, const protocol::Envelope& envelope) {
    const auto saved = protocol::CredentialSaved::decode(envelope);
    auto lease = m_server.pool.acquire();
    ScopedTransaction tx(*lease, SystemAccess{"retire an agent's old credential"});
    const auto rotated = tx.sql().exec_params(
        "UPDATE devices SET credential_hash = next_credential_hash, next_credential_hash = NULL, "
        "credential_rotated_at = now(), credential_rotation_requested = false WHERE id = $1 AND "
        "next_credential_hash = $2 AND revoked_at IS NULL RETURNING 1",
        session.deviceId, saved.sha256);
    tx.commit();
    if (!rotated.empty())
        logger().info("device credential rotated", {{"device_id", session.deviceId}});
}

void AgentService::heartbeat(const AgentSession& session, const protocol::Envelope& envelope,
                             const MessageTicket& ticket) {
    auto beat = protocol::Heartbeat::decode(envelope);
    const std::int64_t now = nowMs();
    const std::int64_t oldest =
        now - static_cast<std::int64_t>(m_server.config.metricsRetentionDays) * 86'400'000LL + 3'600'000LL;
    if (beat.sampledAtMs < oldest || beat.sampledAtMs > now + 86'400'000LL) {
        acknowledge(session, envelope.id, false,
                    "sample time outside the retention window (check the clock)");
        return;
    }
    const std::string id = envelope.id;
    const bool queued = m_metrics.submit(
        {session, std::move(beat),
         // The ticket rides with the sample: the agent's window stays spent until the batch is written.
         [this, session, id, ticket](MetricsWriter::Outcome outcome, const std::string& error) {
             // Refused for its own data: acknowledged as not stored, so the agent drops it instead of sending
             // it forever. Not stored for now: no acknowledgement, and the agent sends it again.
             if (outcome == MetricsWriter::Outcome::Stored)
                 acknowledge(session, id, true);
             else if (outcome == MetricsWriter::Outcome::Refused)
                 acknowledge(session, id, false, "the heartbeat was refused: " + error.substr(0, 200));
         }});
    (void)queued; // when full, the sample stays in the agent's spool and comes again
}

void AgentService::deliver(const AgentSession& session, bool inFlight) {
    std::vector<protocol::CommandRequest> commands;
    std::vector<std::string> cancels;
    {
        auto lease = m_server.pool.acquire();
        ScopedTransaction tx(*lease, SystemAccess{"deliver commands to an authenticated agent"});
        commands = CommandStore::takeDeliverable(tx, session, inFlight, m_server.sealer);
        if (inFlight)
            cancels = CommandStore::recentCancels(tx, session);
        tx.commit();
    }
    if (!m_gateway)
        return;
    for (const auto& command : commands)
        m_gateway->reply(session, protocol::encodeEnvelope(command.encode()));
    for (const auto& id : cancels)
        m_gateway->reply(session, protocol::encodeEnvelope(protocol::CommandCancel{id}.encode()));
}

void AgentService::acknowledge(const AgentSession& session, const std::string& ref, bool ok,
                               const std::string& error) {
    if (!m_gateway || ref.empty())
        return;
    protocol::Ack ack;
    ack.ref = ref;
    ack.ok = ok;
    ack.error = error;
    m_gateway->reply(session, protocol::encodeEnvelope(ack.encode()));
}

void AgentService::sendError(const AgentSession& session, const std::string& code, const std::string& message,
                             const std::string& ref) {
    if (!m_gateway)
        return;
    protocol::Envelope error;
    error.type = msg::kError;
    error.fields = {{"code", code}, {"message", message}};
    if (!ref.empty())
        error.fields["ref"] = ref;
    m_gateway->reply(session, protocol::encodeEnvelope(error));
}

bool AgentService::connected(const std::string& deviceId) const {
    return m_gateway && m_gateway->connected(deviceId);
}

void AgentService::commandsQueued(const std::string& deviceId) {
    if (!m_gateway)
        return;
    const auto session = m_gateway->session(deviceId);
    if (!session)
        return;
    m_strands.post(
        deviceId,
        [this, session = *session] {
            try {
                deliver(session, false);
            } catch (const std::exception& error) {
                logger().warning("command delivery failed",
                                 {{"device_id", session.deviceId}, {"error", error.what()}});
            }
        },
        StrandPool::Admission::Always);
}

void AgentService::cancelRequested(const std::string& deviceId, const std::string& commandId) {
    if (m_gateway)
        m_gateway->send(deviceId, protocol::encodeEnvelope(protocol::CommandCancel{commandId}.encode()));
}

void AgentService::rotateCredential(const std::string& deviceId) {
    if (!m_gateway)
        return;
    const auto session = m_gateway->session(deviceId);
    if (!session)
        return; // asked for on the device row: done at its next hello
    m_strands.post(
        deviceId,
        [this, session = *session] {
            try {
                rotateIfDue(session, true);
            } catch (const std::exception& error) {
                logger().warning("credential rotation failed",
                                 {{"device_id", session.deviceId}, {"error", error.what()}});
            }
        },
        StrandPool::Admission::Always);
}

void AgentService::revoked(const std::string& deviceId) {
    if (m_gateway)
        m_gateway->disconnect(deviceId, protocol::kCloseRevoked, "this device has been revoked");
}

void AgentService::relocated(const std::string& deviceId) {
    if (m_gateway)
        m_gateway->disconnect(deviceId, protocol::kCloseGoingAway,
                              "the device moved to another site; reconnect");
}

} // namespace breeze::server
