#include "agents/CommandStore.h"

#include "agents/DevicePresence.h"
#include "db/ScopedTransaction.h"
#include "devices/DeviceEvents.h"

#include <algorithm>
#include <pqxx/pqxx>

namespace breeze::server {

namespace {
void recordEvent(ScopedTransaction& tx, const AgentSession& session, const std::string& commandId,
                 const std::string& status) {
    recordDeviceEvent(tx, subjectOf(session), "command", {{"command_id", commandId}, {"status", status}});
}
} // namespace

std::vector<protocol::CommandRequest>
CommandStore::takeDeliverable(ScopedTransaction& tx, const AgentSession& session, bool inFlight) {
    const auto rows = tx.sql().exec_params(
        "UPDATE device_commands SET status = CASE WHEN status = 'pending' THEN 'sent' ELSE status END, "
        "sent_at = coalesce(sent_at, now()), deliveries = deliveries + 1, updated_at = now() "
        "WHERE id IN (SELECT id FROM device_commands WHERE device_id = $1 AND org_id = $2 AND NOT "
        "cancel_requested "
        "AND (status = 'pending' OR ($3 AND status IN ('sent', 'running'))) ORDER BY created_at LIMIT 100 "
        "FOR UPDATE) "
        "RETURNING id, command_type, args::text, timeout_seconds, created_at",
        session.deviceId, session.orgId, inFlight);
    std::vector<std::pair<std::string, protocol::CommandRequest>> ordered;
    for (const auto& row : rows) {
        protocol::CommandRequest request;
        request.commandId = row[0].as<std::string>();
        request.type = row[1].as<std::string>();
        request.args = nlohmann::json::parse(row[2].as<std::string>());
        request.timeoutSeconds = row[3].as<int>();
        ordered.emplace_back(row[4].as<std::string>(), std::move(request));
    }
    std::sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<protocol::CommandRequest> requests;
    for (auto& [createdAt, request] : ordered) {
        recordEvent(tx, session, request.commandId, "sent");
        requests.push_back(std::move(request));
    }
    return requests;
}

std::vector<std::string> CommandStore::recentCancels(ScopedTransaction& tx, const AgentSession& session) {
    const auto rows = tx.sql().exec_params(
        "SELECT id FROM device_commands WHERE device_id = $1 AND org_id = $2 AND cancel_requested "
        "AND sent_at IS NOT NULL AND finished_at > now() - interval '1 day'",
        session.deviceId, session.orgId);
    std::vector<std::string> ids;
    for (const auto& row : rows)
        ids.push_back(row[0].as<std::string>());
    return ids;
}

bool CommandStore::applyUpdate(ScopedTransaction& tx, const AgentSession& session,
                               const protocol::CommandUpdate& update) {
    if (!update.final()) {
        const auto rows = tx.sql().exec_params(
            "UPDATE device_commands SET status = 'running', started_at = coalesce(started_at, now()), "
            "updated_at = now() WHERE id = $1 AND device_id = $2 AND status IN ('pending', 'sent') RETURNING "
            "id",
            update.commandId, session.deviceId);
        if (!rows.empty())
            recordEvent(tx, session, update.commandId, "running");
        return true;
    }
    const auto rows = tx.sql().exec_params(
        "UPDATE device_commands SET status = $3, exit_code = NULLIF($4, '')::integer, output = $5::jsonb, "
        "error = NULLIF($6, ''), "
        "started_at = coalesce(started_at, now()), finished_at = now(), updated_at = now() "
        "WHERE id = $1 AND device_id = $2 AND status IN ('pending', 'sent', 'running') RETURNING id",
        update.commandId, session.deviceId, update.status,
        update.exitCode ? std::to_string(*update.exitCode) : std::string(),
        update.output.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), update.error);
    if (!rows.empty())
        recordEvent(tx, session, update.commandId, update.status);
    return !rows.empty();
}

long long CommandStore::expire(ScopedTransaction& tx) {
    const auto pending = tx.sql().exec(
        "UPDATE device_commands SET status = 'timed_out', finished_at = now(), updated_at = now(), "
        "error = 'the device did not come back before the command expired' "
        "WHERE status = 'pending' AND expires_at < now() RETURNING id");
    // A grace period over the agent's own timeout, which reports timed_out itself when it can.
    const auto started = tx.sql().exec(
        "UPDATE device_commands SET status = 'timed_out', finished_at = now(), updated_at = now(), "
        "error = 'no result from the device within the timeout' "
        "WHERE status IN ('sent', 'running') "
        "AND coalesce(started_at, sent_at) + make_interval(secs => timeout_seconds + 120) < now() RETURNING "
        "id");
    return static_cast<long long>(pending.size() + started.size());
}

} // namespace breeze::server
